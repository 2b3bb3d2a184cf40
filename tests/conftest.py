import pytest
import torch


@pytest.fixture(scope="session")
def ssd300_priors():
    from ssd_core import SSDConfig, default_boxes

    return default_boxes(SSDConfig.ssd300())


def random_gt(gen: torch.Generator, n: int, min_side=0.05, max_side=0.8) -> torch.Tensor:
    """``n`` random xyxy boxes inside the unit square, with sides in [min_side, max_side]."""
    wh = min_side + (max_side - min_side) * torch.rand(n, 2, generator=gen)
    xy = torch.rand(n, 2, generator=gen) * (1 - wh)
    return torch.cat([xy, xy + wh], dim=1)


@pytest.fixture
def language():
    """``language("zh")`` switches the course's language for this test; English again after."""
    from ssd_core.fonts import set_language

    yield set_language
    set_language("en")
