"""What every model builder shares: refusing pretrained weights, with directions."""

from __future__ import annotations

import warnings


def check_weights(name: str, weights, kwargs: dict) -> None:
    """Raise if pretrained weights are asked for (``weights=...`` or ``pretrained=True``).

    minitorch downloads no weights. torchvision's weights can be converted instead: in an
    environment with torchvision, ``torch_model = torchvision.models.<name>(weights=...)``,
    then ``model.load_state_dict(state_dict_from_torch(torch_model.state_dict()))`` with
    :func:`minitorch.utils.torch_interop.state_dict_from_torch` (the module names, hence
    the keys, are torchvision's).
    """
    pretrained = kwargs.pop("pretrained", None)
    kwargs.pop("progress", None)
    if pretrained is not None:
        warnings.warn(
            "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the "
            "future, please use 'weights' instead.",
            UserWarning,
            stacklevel=3,
        )
    if weights is None and not pretrained:
        return
    asked = f"weights={weights!r}" if weights is not None else "pretrained=True"
    raise NotImplementedError(
        f"{name}({asked}): minitorch.vision.models has no pretrained weights and downloads "
        f"nothing; build the model with weights=None and load torchvision's weights "
        f"converted with minitorch.utils.torch_interop, e.g. in Python with torch and "
        f"torchvision installed:\n"
        f"    from minitorch.utils.torch_interop import state_dict_from_torch\n"
        f"    tv = torchvision.models.{name}(weights='DEFAULT')\n"
        f"    model = minitorch.vision.models.{name}()\n"
        f"    model.load_state_dict(state_dict_from_torch(tv.state_dict()))\n"
        f"(or save the converted state dict once with minitorch.save and load it with "
        f"minitorch.load)."
    )
