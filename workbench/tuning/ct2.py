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

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: "bf16"}
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
            shape = u("%dI" % rank)
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
    sd: dict[str, torch.Tensor] = {}

    def linear(dst: str, src: str) -> None:
        sd[dst + ".weight"], sd[dst + ".bias"] = _float(t, src + "/weight"), _float(t, src + "/bias")

    def norm(dst: str, src: str) -> None:
        sd[dst + ".weight"], sd[dst + ".bias"] = _float(t, src + "/gamma"), _float(t, src + "/beta")

    def split(dst_names: list[str], src: str) -> None:
        """Unfuse a fused QKV or KV projection; openai-whisper's key has no bias."""
        weights = _float(t, src + "/weight").chunk(len(dst_names))
        biases = _float(t, src + "/bias").chunk(len(dst_names))
        for dst, w, b in zip(dst_names, weights, biases):
            sd[dst + ".weight"] = w.contiguous()
            if not dst.endswith(".key"):
                sd[dst + ".bias"] = b.contiguous()

    def block(p: str, q: str, cross: bool) -> None:
        split([f"{p}.attn.query", f"{p}.attn.key", f"{p}.attn.value"], f"{q}/self_attention/linear_0")
        linear(f"{p}.attn.out", f"{q}/self_attention/linear_1")
        norm(f"{p}.attn_ln", f"{q}/self_attention/layer_norm")
        if cross:
            linear(f"{p}.cross_attn.query", f"{q}/attention/linear_0")
            split([f"{p}.cross_attn.key", f"{p}.cross_attn.value"], f"{q}/attention/linear_1")
            linear(f"{p}.cross_attn.out", f"{q}/attention/linear_2")
            norm(f"{p}.cross_attn_ln", f"{q}/attention/layer_norm")
        linear(f"{p}.mlp.0", f"{q}/ffn/linear_0")
        linear(f"{p}.mlp.2", f"{q}/ffn/linear_1")
        norm(f"{p}.mlp_ln", f"{q}/ffn/layer_norm")

    for conv in ("conv1", "conv2"):
        linear(f"encoder.{conv}", f"encoder/{conv}")
    sd["encoder.positional_embedding"] = _float(t, "encoder/position_encodings/encodings")
    n_audio_layer, n_text_layer = _layers(t, "encoder"), _layers(t, "decoder")
    for i in range(n_audio_layer):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")
    sd["decoder.token_embedding.weight"] = _float(t, "decoder/embeddings/weight")
    sd["decoder.positional_embedding"] = _float(t, "decoder/position_encodings/encodings")
    for i in range(n_text_layer):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    norm("decoder.ln", "decoder/layer_norm")

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
        n_audio_layer=n_audio_layer,
        n_vocab=n_vocab,
        n_text_ctx=sd["decoder.positional_embedding"].shape[0],
        n_text_state=n_text_state,
        n_text_head=heads("decoder", n_text_state),
        n_text_layer=n_text_layer,
    )
    return {k: int(v) for k, v in dims.items()}, sd


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
    sd = {k: v.detach().float().cpu() for k, v in model.state_dict().items()}
    spec = whisper_spec.WhisperSpec(dims.n_audio_layer, dims.n_audio_head,
                                    dims.n_text_layer, dims.n_text_head)

    def linear(target, name: str) -> None:
        target.weight = sd[name + ".weight"]
        if name + ".bias" in sd:
            target.bias = sd[name + ".bias"]

    def fused(target, names: list[str]) -> None:
        """A fused projection; a missing bias (openai-whisper's key) is zeros."""
        target.weight = torch.cat([sd[n + ".weight"] for n in names])
        target.bias = torch.cat([sd.get(n + ".bias", torch.zeros(sd[n + ".weight"].shape[0]))
                                 for n in names])

    def norm(target, name: str) -> None:
        target.gamma, target.beta = sd[name + ".weight"], sd[name + ".bias"]

    def block(layer, p: str, cross: bool) -> None:
        fused(layer.self_attention.linear[0], [f"{p}.attn.query", f"{p}.attn.key", f"{p}.attn.value"])
        linear(layer.self_attention.linear[1], f"{p}.attn.out")
        norm(layer.self_attention.layer_norm, f"{p}.attn_ln")
        if cross:
            linear(layer.attention.linear[0], f"{p}.cross_attn.query")
            fused(layer.attention.linear[1], [f"{p}.cross_attn.key", f"{p}.cross_attn.value"])
            linear(layer.attention.linear[2], f"{p}.cross_attn.out")
            norm(layer.attention.layer_norm, f"{p}.cross_attn_ln")
        linear(layer.ffn.linear_0, f"{p}.mlp.0")
        linear(layer.ffn.linear_1, f"{p}.mlp.2")
        norm(layer.ffn.layer_norm, f"{p}.mlp_ln")

    encoder, decoder = spec.encoder, spec.decoder
    linear(encoder.conv1, "encoder.conv1")
    linear(encoder.conv2, "encoder.conv2")
    encoder.position_encodings.encodings = sd["encoder.positional_embedding"]
    for i, layer in enumerate(encoder.layer):
        block(layer, f"encoder.blocks.{i}", cross=False)
    norm(encoder.layer_norm, "encoder.ln_post")
    decoder.embeddings.weight = sd["decoder.token_embedding.weight"]
    decoder.position_encodings.encodings = sd["decoder.positional_embedding"]
    for i, layer in enumerate(decoder.layer):
        block(layer, f"decoder.blocks.{i}", cross=True)
    norm(decoder.layer_norm, "decoder.ln")
    decoder.projection.weight = sd["decoder.token_embedding.weight"]  # tied in openai-whisper

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
    if not heads or any(l >= dims.n_text_layer or h >= dims.n_text_head for l, h in heads):
        heads = [[l, h] for l in range(dims.n_text_layer // 2, dims.n_text_layer)
                 for h in range(dims.n_text_head)]
    return {**config, "alignment_heads": heads}
