"""The lessons' explorers and pictures: one module per idea of the paper they show.

=====================  ==============================================================
lesson 1               :mod:`.iou_nms` (IoU, NMS), :mod:`.ap_example` (precision, recall,
                       AP by hand), :mod:`.history` (R-CNN to SSD), :mod:`.quiz`
lesson 2               :mod:`.network` (layers, receptive field, atrous convolution,
                       L2Norm), :mod:`.default_boxes` (scales, ratios, maps; anchors vs grid)
lesson 3               :mod:`.matching`, :mod:`.losses` (encoding, smooth L1, cross-entropy),
                       :mod:`.mining` (hard negative mining on a briefly trained model),
                       :mod:`.augmentation`
lesson 4               :mod:`.code_maps` (paper and TensorFlow maps), :mod:`.source` (a
                       function's source), :mod:`.traces` (network, labels and loss on one
                       batch, shape by shape), :mod:`.batch_trace` (one batch from file to
                       optimizer step), :mod:`.data_pictures` (folder trees, boxed images)
lesson 5               :mod:`.training` (live loss curve, run comparison),
                       :mod:`.detections` (the detector on images and on your photo)
shared                 :mod:`.explorer` (the explorer base: controls in, one ``state:`` line
                       and one figure out), :mod:`.pictures` (the sample photos, shapes)
=====================  ==============================================================

Figures that need only matplotlib live in :mod:`ssd_core.draw`; homework in
:mod:`ssd_core.homework`; the text the explorers show, in both languages, in
:mod:`ssd_core.course`. Nothing below this package imports it. Importing ``ssd_core.viz``
itself imports nothing; import the module a lesson needs (they need ipywidgets).
"""
