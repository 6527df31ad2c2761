"""Array-level fast code, apart from the Functions that use it.

A Function in :mod:`minitorch.ops` says *what* an op computes and how to differentiate
it; the kernels here say *how fast* the arrays are computed. Each family has one small
interface, and :mod:`minitorch.kernels.reference` holds a loop-based twin of every fast
kernel (forward and backward) that the tests compare it with on random shapes.

=====================  ==============================================================
``conv``               convolution: im2col/col2im and their memory layouts, the three
                       products (forward, input gradient, weight gradient), the choice
                       between im2col, the Fourier, Winograd, shifted and 1x1 paths
``conv_fourier``       convolution by the convolution theorem (DFTs as matrix products)
``winograd``           3x3 stride-1 convolution by Winograd's minimal filtering,
                       F(4x4, 3x3), on images in (H, W, N, C) order
``conv_shifted``       small-channel 3x3 convolution as products on shifted views of the
                       channel-major padded input (stride 2 by phase images), no im2col
``conv_direct``        first layers (1-3 input channels): im2col a block of images at
                       a time, while it is in cache
``conv_transpose_phases``
                       DCGAN's 4x4 stride-2 transposed convolution (and its two
                       gradients) by sub-pixel phases and Winograd's F(2x2, 2x2)
``pointwise``          1x1 convolution as products on the (strided) input
``pool``               max pooling windows (running argmax, winners, scatter/gather)
                       and average pooling as block sums
``relu``               ``max(x, 0)`` compared with an array of zeros (vectorised)
``cross_entropy``      the fused log-softmax + NLL forward and its gradient
``copies``             large copies, slab-by-slab transposes, 2-D float32 transposes
                       by OpenBLAS's ``somatcopy``, strided window views
``threads``            splitting independent work over threads; the thread counts,
                       stepping aside while other processes hold the cores
``reference``          the loop-based twins, for reading and for the tests
=====================  ==============================================================
"""
