# ssd-course. The two commands a newcomer needs:
#   make lab    set everything up, then open the lessons in JupyterLab
#   make test   set everything up, then run every test
# and one more for reading without a kernel:
#   make html   the lessons of both editions as static web pages in build/html/
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test env bench clean chromium fonts html gpu-wheels catalog check-catalog

env: $(STAMP)

# The environment is rebuilt whenever the pins change.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "ssd-course needs Python 3.11 or newer, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
# pip byte-compiles what it installs on one core; compileall does it on all of them (-j 0).
# Leaving it to the first import instead cost `make test` 80 s more: the two test workers and
# each lesson's kernel compiled the same modules side by side. Measured 2026-12-07 on 2 cores:
# install 55 s + compile 18 s, against 88-101 s with pip compiling. A module that does not
# compile on this Python (torch's py312 test helpers) is never imported: -qq and || true.
	$(BIN)/python -m pip install --quiet --no-compile -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -qq -j 0 $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') || true
	touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers often are root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP) fonts
	$(BIN)/jupyter lab $(LAB_ARGS) lessons/

# Two workers, one test file each at a time. Each starts with one edition's browser test
# (tests/test_browser_zh.py, tests/test_browser_en.py: their own JupyterLab and chromium each;
# conftest.py sees to the order), which runs that edition's lessons; the other files follow.
# PYTHONDONTWRITEBYTECODE (set on some machines) would make every process of the run (two
# workers, each lesson's kernel) compile the course's modules and rewrite the tests' asserts
# anew: 9 s more per process (2026-12-07). __pycache__/ is ignored by git.
test: $(STAMP) chromium fonts
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 2 --dist loadfile

# The course's words (ssd_core/locale/<lang>/LC_MESSAGES/ssd_course.po): `make catalog` brings
# every catalog up to date with the code's English sentences (Babel's extract + update: new
# sentences arrive untranslated, changed ones fuzzy); `make check-catalog` lists what an editor
# still has to do (tests/test_catalog.py checks the same in `make test`).
catalog: $(STAMP)
	$(BIN)/python -m tools.catalog update

check-catalog: $(STAMP)
	$(BIN)/python -m tools.catalog check

html: $(STAMP) fonts
	$(BIN)/python -m ssd_core html --out build/html

# tests/test_browser_*.py open the lessons in the system's chromium (Debian's package; nothing
# downloads a browser). Installed here when missing and we may (root, or sudo without a
# password); when it cannot be, the log below says why and the browser test fails with it.
CHROMIUM_LOG := artifacts/chromium-install.log
APT_CHROMIUM := env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

chromium:
	@if [ -n "$$SSD_COURSE_CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then \
	  rm -f $(CHROMIUM_LOG); \
	else \
	  mkdir -p $(dir $(CHROMIUM_LOG)); \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else sudo=no; fi; \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "no apt-get here (not Debian/Ubuntu)" > $(CHROMIUM_LOG); \
	  elif [ "$$sudo" = no ]; then \
	    echo "not root, and sudo asks for a password: cannot run apt-get" > $(CHROMIUM_LOG); \
	  else \
	    echo "installing chromium for the browser test: $$sudo $(APT_CHROMIUM)"; \
	    { $$sudo $(APT_CHROMIUM) || { $$sudo apt-get update -q && $$sudo $(APT_CHROMIUM); }; } \
	      > $(CHROMIUM_LOG) 2>&1 && rm -f $(CHROMIUM_LOG); \
	  fi; \
	  if [ -f $(CHROMIUM_LOG) ]; then \
	    echo "chromium could not be installed (see $(CHROMIUM_LOG)); tests/test_browser_*.py will fail"; \
	  fi; \
	fi

# Chinese in figures and in the browser: Debian's fonts-noto-cjk (Noto Sans CJK, SIL Open Font
# License, 91 MB installed). Installed when no CJK font is found and we may (as for chromium);
# otherwise figures fall back to English labels and say so. Windows and macOS have their own.
FONTS_LOG := artifacts/fonts-install.log
APT_FONTS := env DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-noto-cjk

fonts:
	@if [ "$$(uname)" != Linux ] || [ -n "$$(fc-list :lang=zh family 2>/dev/null)" ]; then \
	  rm -f $(FONTS_LOG); \
	else \
	  mkdir -p $(dir $(FONTS_LOG)); \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else sudo=no; fi; \
	  if ! command -v apt-get >/dev/null 2>&1 || [ "$$sudo" = no ]; then \
	    echo "no CJK font, and it cannot be installed here (no apt-get or no root): figures use English labels" > $(FONTS_LOG); \
	  else \
	    echo "installing a CJK font for Chinese figures: $$sudo $(APT_FONTS)"; \
	    { $$sudo $(APT_FONTS) || { $$sudo apt-get update -q && $$sudo $(APT_FONTS); }; } \
	      > $(FONTS_LOG) 2>&1 && rm -f $(FONTS_LOG); \
	  fi; \
	  if [ -f $(FONTS_LOG) ]; then cat $(FONTS_LOG); fi; \
	fi

# Wheels for the lent GPU machine (Python 3.12, no registry): see bench/gpu_check.sh.
gpu-wheels:
	mkdir -p .whl
	grep -v '^#' bench/gpu_wheels.txt | xargs $(PYTHON) -m pip download --no-deps --only-binary=:all: \
	  --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 \
	  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any -d .whl

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis runs homework build
