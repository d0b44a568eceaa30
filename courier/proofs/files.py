"""The files of a proof, checked before anything is marked: a photo is an image (JPEG,
PNG or WebP) of at most ``PROOF_MAX_BYTES``, kept as a JPEG without its metadata (a
phone's photo carries where it was taken: the recipient's door); a signature is a PNG
with at least one stroke on it."""

from __future__ import annotations

import io
import warnings

from flask import current_app
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError

from courier.errors import DomainError, InvalidInput

PHOTO_TYPES = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 50_000_000  # a 10 MB file claiming more is a decompression bomb
PHOTO_SIDE = 1600  # px: a photo is kept at most this wide or high
SIGNATURE_SIDE = 2000


class TooLarge(DomainError):
    status = 413


class NotAnImage(DomainError):
    status = 415


def _open(data: bytes, field: str, formats) -> Image.Image:
    limit = current_app.config["PROOF_MAX_BYTES"]
    if len(data) > limit:
        raise TooLarge(f"the {field} is over {limit // (1024 * 1024)} MB",
                       {field: f"over {limit} bytes"})
    if not data:
        raise InvalidInput(f"the {field} is empty", {field: "empty file"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=formats)
            if image.width * image.height > MAX_PIXELS:
                raise TooLarge(f"the {field} has too many pixels", {field: "too many pixels"})
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, SyntaxError, ValueError):
        names = " or ".join(formats)
        raise NotAnImage(f"the {field} is not a {names} image",
                         {field: f"not a {names} image"}) from None
    return image


def photo(data: bytes, field: str = "photo") -> bytes:
    """The photo as it is kept: a JPEG, upright, at most ``PHOTO_SIDE`` px, no metadata."""
    image = ImageOps.exif_transpose(_open(data, field, PHOTO_TYPES))
    image = image.convert("RGB")
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def signature(data: bytes, field: str = "signature") -> bytes:
    """The signature as it is kept: the PNG, refused when no stroke was drawn on it."""
    image = _open(data, field, ("PNG",))
    if max(image.size) > SIGNATURE_SIDE:
        raise InvalidInput("the signature is too large", {field: f"over {SIGNATURE_SIDE} px"})
    flat = image.convert("RGBA")
    blank = Image.new("RGBA", flat.size, flat.getpixel((0, 0)))
    if ImageChops.difference(flat, blank).getbbox() is None:
        raise InvalidInput("the signature is empty: sign on the screen",
                           {field: "no strokes"})
    return data
