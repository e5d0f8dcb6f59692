"""CTranslate2 Whisper folders to openai-whisper models and back.

Reading follows `../shared/tools/ct2_to_openai_whisper.py` (the model.bin layout of
ctranslate2's `specs/model_spec.py` `_serialize`, and the CT2 -> openai-whisper names), vendored
here so that the app never imports from outside the project. Writing fills ctranslate2's own
`WhisperSpec`, as its `converters/transformers.py` `WhisperLoader` does for Hugging Face
models, from openai-whisper's state dict names, and copies the tokenizer files of the base
folder so that faster-whisper loads the result.

model.bin, little endian; strings are a u16 length (with the NUL) and the bytes:
  u32 binary_version; [v>=2: str spec_name, u32 spec_revision]; u32 n_vars;
  per variable: str name, u8 rank, u32[rank] shape,
                v>=4: u8 dtype_id (0 f32, 1 i8, 2 i16, 3 i32, 4 f16, 5 bf16), u32 nbytes
                v<4 : u8 item_size, u32 n_items; then the raw data
  [v>=3: u32 n_aliases; per alias: str alias, str target]
Quantized weights (int8 per row, int16 per tensor) come with "<name>_scale": value = q / scale.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import torch

_DTYPES: dict[int, type[np.generic] | str] = {
    0: np.float32,
    1: np.int8,
    2: np.int16,
    3: np.int32,
    4: np.float16,
    5: "bf16",
}
_OLD_DTYPES = {4: 0, 2: 2, 1: 1}  # binary_version < 4: item size -> dtype id


def read_model_bin(path: Path) -> tuple[str, dict[str, torch.Tensor]]:
    """A CTranslate2 model.bin as (spec name, {variable name: tensor}), aliases resolved."""
    with open(path, "rb") as f:

        def u(fmt: str) -> tuple:
            return struct.unpack("<" + fmt, f.read(struct.calcsize("<" + fmt)))

        def s() -> str:
            (n,) = u("H")
            return f.read(n).split(b"\0", 1)[0].decode("utf-8")

        (version,) = u("I")
        spec = (s(), u("I")[0])[0] if version >= 2 else ""
        tensors: dict[str, torch.Tensor] = {}
        for _ in range(u("I")[0]):
            name = s()
            (rank,) = u("B")
            shape = u(f"{rank}I")
            if version >= 4:
                dtype_id, nbytes = u("BI")
            else:
                item, count = u("BI")
                dtype_id, nbytes = _OLD_DTYPES[item], item * count
            raw = f.read(nbytes)
            dtype = _DTYPES[dtype_id]
            if dtype == "bf16":  # numpy has no bfloat16: reinterpret the bits in torch
                t = torch.from_numpy(np.frombuffer(raw, np.int16).copy()).view(torch.bfloat16)
            else:
                t = torch.from_numpy(np.frombuffer(raw, dtype).copy())
            tensors[name] = t.reshape(shape)
        if version >= 3:
            for _ in range(u("I")[0]):
                alias, target = s(), s()
                for suffix in ("", "_scale"):
                    if target + suffix in tensors:
                        tensors[alias + suffix] = tensors[target + suffix]
    return spec, tensors


def _float(t: dict[str, torch.Tensor], name: str) -> torch.Tensor:
    """A float32 tensor, dequantizing int8/int16 weights with their '_scale'."""
    x = t[name]
    if x.dtype in (torch.int8, torch.int16):
        scale = t[name + "_scale"].float()
        x = x.float() / scale.reshape(scale.shape + (1,) * (x.dim() - scale.dim()))
    return x.float().contiguous()


def _layers(t: dict[str, torch.Tensor], side: str) -> int:
    i = 0
    while f"{side}/layer_{i}/ffn/linear_0/weight" in t:
        i += 1
    return i


def read_ct2(folder: Path) -> tuple[dict[str, int], dict[str, torch.Tensor]]:
    """A CTranslate2 Whisper folder as openai-whisper (dims as a dict, float32 state dict)."""
    spec, t = read_model_bin(Path(folder) / "model.bin")
    if spec and spec != "WhisperSpec":
        raise ValueError(f"not a Whisper model (its spec is {spec!r})")
    sd = _StateDict(t)
    for conv in ("conv1", "conv2"):
        sd.linear(f"encoder.{conv}", f"encoder/{conv}")
    sd.tensor("encoder.positional_embedding", "encoder/position_encodings/encodings")
    for i in range(_layers(t, "encoder")):
        sd.block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    sd.norm("encoder.ln_post", "encoder/layer_norm")
    sd.tensor("decoder.token_embedding.weight", "decoder/embeddings/weight")
    sd.tensor("decoder.positional_embedding", "decoder/position_encodings/encodings")
    for i in range(_layers(t, "decoder")):
        sd.block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    sd.norm("decoder.ln", "decoder/layer_norm")
    return _dims(t, sd.out), sd.out


class _StateDict:
    """An openai-whisper state dict filled from the variables `t` of a CT2 model (float32)."""

    def __init__(self, t: dict[str, torch.Tensor]):
        self.t = t
        self.out: dict[str, torch.Tensor] = {}

    def tensor(self, dst: str, src: str) -> None:
        self.out[dst] = _float(self.t, src)

    def linear(self, dst: str, src: str) -> None:
        self.tensor(dst + ".weight", src + "/weight")
        self.tensor(dst + ".bias", src + "/bias")

    def norm(self, dst: str, src: str) -> None:
        self.tensor(dst + ".weight", src + "/gamma")
        self.tensor(dst + ".bias", src + "/beta")

    def split(self, dst_names: list[str], src: str) -> None:
        """Unfuse a fused QKV or KV projection; openai-whisper's key has no bias."""
        weights = _float(self.t, src + "/weight").chunk(len(dst_names))
        biases = _float(self.t, src + "/bias").chunk(len(dst_names))
        for dst, w, b in zip(dst_names, weights, biases, strict=True):
            self.out[dst + ".weight"] = w.contiguous()
            if not dst.endswith(".key"):
                self.out[dst + ".bias"] = b.contiguous()

    def block(self, p: str, q: str, cross: bool) -> None:
        """One encoder (or, with `cross`, decoder) layer: `q` in CT2, `p` in openai-whisper."""
        self.split(
            [f"{p}.attn.query", f"{p}.attn.key", f"{p}.attn.value"], f"{q}/self_attention/linear_0"
        )
        self.linear(f"{p}.attn.out", f"{q}/self_attention/linear_1")
        self.norm(f"{p}.attn_ln", f"{q}/self_attention/layer_norm")
        if cross:
            self.linear(f"{p}.cross_attn.query", f"{q}/attention/linear_0")
            self.split([f"{p}.cross_attn.key", f"{p}.cross_attn.value"], f"{q}/attention/linear_1")
            self.linear(f"{p}.cross_attn.out", f"{q}/attention/linear_2")
            self.norm(f"{p}.cross_attn_ln", f"{q}/attention/layer_norm")
        self.linear(f"{p}.mlp.0", f"{q}/ffn/linear_0")
        self.linear(f"{p}.mlp.2", f"{q}/ffn/linear_1")
        self.norm(f"{p}.mlp_ln", f"{q}/ffn/layer_norm")


def _dims(t: dict[str, torch.Tensor], sd: dict[str, torch.Tensor]) -> dict[str, int]:
    """openai-whisper's ModelDimensions (as a dict) of a model read from CT2 variables `t`."""

    def heads(side: str, state: int) -> int:  # WhisperSpec stores them as an int16 scalar
        value = t.get(f"{side}/num_heads")
        return int(value.item()) if value is not None else state // 64

    n_audio_state = sd["encoder.conv1.weight"].shape[0]
    n_vocab, n_text_state = sd["decoder.token_embedding.weight"].shape
    dims = dict(
        n_mels=sd["encoder.conv1.weight"].shape[1],
        n_audio_ctx=sd["encoder.positional_embedding"].shape[0],
        n_audio_state=n_audio_state,
        n_audio_head=heads("encoder", n_audio_state),
        n_audio_layer=_layers(t, "encoder"),
        n_vocab=n_vocab,
        n_text_ctx=sd["decoder.positional_embedding"].shape[0],
        n_text_state=n_text_state,
        n_text_head=heads("decoder", n_text_state),
        n_text_layer=_layers(t, "decoder"),
    )
    return {k: int(v) for k, v in dims.items()}


def load_whisper(folder: Path):
    """An openai-whisper `Whisper` model (float32, CPU) with the weights of a CT2 folder."""
    from whisper.model import ModelDimensions, Whisper

    dims, state = read_ct2(folder)
    model = Whisper(ModelDimensions(**dims))
    model.load_state_dict(state)
    return model


def write_ct2(model, folder: Path, base: Path, quantization: str = "float16") -> Path:
    """Write an openai-whisper model as a CTranslate2 folder `folder` (which must not exist),
    with the tokenizer, vocabulary and decoding config of the CT2 folder `base`."""
    from ctranslate2.specs import whisper_spec

    dims = model.dims
    spec = whisper_spec.WhisperSpec(
        dims.n_audio_layer, dims.n_audio_head, dims.n_text_layer, dims.n_text_head
    )
    _fill_spec(spec, {k: v.detach().float().cpu() for k, v in model.state_dict().items()})
    base = Path(base)
    spec.register_vocabulary(_vocabulary(base))
    config = _config(base, dims)
    for key, value in config.items():
        if hasattr(spec.config, key):
            setattr(spec.config, key, value)
    spec.validate()
    spec.optimize(quantization=quantization)
    folder = Path(folder)
    folder.mkdir(parents=True)
    spec.save(str(folder))
    (folder / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    for name in ("tokenizer.json", "preprocessor_config.json"):
        if (base / name).is_file():
            shutil.copyfile(base / name, folder / name)
    return folder


def _fill_spec(spec, sd: dict[str, torch.Tensor]) -> None:
    """Set the variables of a ctranslate2 `WhisperSpec` from an openai-whisper state dict."""
    encoder, decoder = spec.encoder, spec.decoder
    _set_linear(encoder.conv1, sd, "encoder.conv1")
    _set_linear(encoder.conv2, sd, "encoder.conv2")
    encoder.position_encodings.encodings = sd["encoder.positional_embedding"]
    for i, layer in enumerate(encoder.layer):
        _set_block(layer, sd, f"encoder.blocks.{i}", cross=False)
    _set_norm(encoder.layer_norm, sd, "encoder.ln_post")
    decoder.embeddings.weight = sd["decoder.token_embedding.weight"]
    decoder.position_encodings.encodings = sd["decoder.positional_embedding"]
    for i, layer in enumerate(decoder.layer):
        _set_block(layer, sd, f"decoder.blocks.{i}", cross=True)
    _set_norm(decoder.layer_norm, sd, "decoder.ln")
    decoder.projection.weight = sd["decoder.token_embedding.weight"]  # tied in openai-whisper


def _set_linear(target, sd: dict[str, torch.Tensor], name: str) -> None:
    target.weight = sd[name + ".weight"]
    if name + ".bias" in sd:
        target.bias = sd[name + ".bias"]


def _set_fused(target, sd: dict[str, torch.Tensor], names: list[str]) -> None:
    """A fused projection; a missing bias (openai-whisper's key) is zeros."""
    target.weight = torch.cat([sd[n + ".weight"] for n in names])
    target.bias = torch.cat(
        [sd.get(n + ".bias", torch.zeros(sd[n + ".weight"].shape[0])) for n in names]
    )


def _set_norm(target, sd: dict[str, torch.Tensor], name: str) -> None:
    target.gamma, target.beta = sd[name + ".weight"], sd[name + ".bias"]


def _set_block(layer, sd: dict[str, torch.Tensor], p: str, cross: bool) -> None:
    """One encoder (or, with `cross`, decoder) layer of the spec from openai-whisper's `p`."""
    self_attn = layer.self_attention
    _set_fused(self_attn.linear[0], sd, [f"{p}.attn.query", f"{p}.attn.key", f"{p}.attn.value"])
    _set_linear(self_attn.linear[1], sd, f"{p}.attn.out")
    _set_norm(self_attn.layer_norm, sd, f"{p}.attn_ln")
    if cross:
        _set_linear(layer.attention.linear[0], sd, f"{p}.cross_attn.query")
        _set_fused(layer.attention.linear[1], sd, [f"{p}.cross_attn.key", f"{p}.cross_attn.value"])
        _set_linear(layer.attention.linear[2], sd, f"{p}.cross_attn.out")
        _set_norm(layer.attention.layer_norm, sd, f"{p}.cross_attn_ln")
    _set_linear(layer.ffn.linear_0, sd, f"{p}.mlp.0")
    _set_linear(layer.ffn.linear_1, sd, f"{p}.mlp.2")
    _set_norm(layer.ffn.layer_norm, sd, f"{p}.mlp_ln")


def _vocabulary(base: Path) -> list[str]:
    """The base model's tokens, one per line of vocabulary.txt (or vocabulary.json)."""
    if (base / "vocabulary.json").is_file():
        return json.loads((base / "vocabulary.json").read_text(encoding="utf-8"))
    return (base / "vocabulary.txt").read_text(encoding="utf-8").split("\n")[:-1]


def _config(base: Path, dims) -> dict:
    """The base model's config.json, its alignment heads kept where they fit this model's
    decoder (else the last half of its layers, as ctranslate2's converter defaults)."""
    path = base / "config.json"
    config = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    heads = config.get("alignment_heads") or []
    if not heads or any(layer >= dims.n_text_layer or h >= dims.n_text_head for layer, h in heads):
        heads = [
            [layer, h]
            for layer in range(dims.n_text_layer // 2, dims.n_text_layer)
            for h in range(dims.n_text_head)
        ]
    return {**config, "alignment_heads": heads}
