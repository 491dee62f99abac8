/// Tensors as version-1 .npy files (little-endian, C order), the format numpy.load reads: how the parity and
/// trajectory scripts hand weights, batches and batch orders to the reference side. `#load "Npy.fsx"` first: it also references the Release build of Msr.
module Npy

// The Release build of Msr, for every script of this folder that loads this file first.
#I "../../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"

open System
open System.IO
open System.Runtime.InteropServices
open TorchSharp

/// Writes <outDir>/<name>.npy.
let write (outDir: string) (name: string) (tensor: torch.Tensor) =
    let t = tensor.detach().cpu().contiguous()
    // The element bytes as they lie in memory (little-endian on every platform TorchSharp ships for), in one copy.
    let raw (values: 'T[]) = MemoryMarshal.AsBytes(ReadOnlySpan<'T>(values)).ToArray()
    let descr, bytes =
        match t.dtype with
        | torch.ScalarType.Float32 -> "<f4", raw (t.data<float32>().ToArray())
        | torch.ScalarType.Float64 -> "<f8", raw (t.data<float>().ToArray())
        | torch.ScalarType.Int64 -> "<i8", raw (t.data<int64>().ToArray())
        | torch.ScalarType.Int32 -> "<i4", raw (t.data<int32>().ToArray())
        | other -> failwithf "%s: no .npy writer for %A" name other
    let shape = String.Join("", t.shape |> Array.map (fun d -> $"{d},"))
    let mutable header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({shape}), }}"
    while (10 + header.Length + 1) % 64 <> 0 do header <- header + " "
    let headerBytes = Text.Encoding.ASCII.GetBytes(header + "\n")
    use file = File.Create(Path.Combine(outDir, name + ".npy"))
    file.Write([| 0x93uy; 78uy; 85uy; 77uy; 80uy; 89uy; 1uy; 0uy |], 0, 8)
    file.Write(BitConverter.GetBytes(uint16 headerBytes.Length), 0, 2)
    file.Write(headerBytes, 0, headerBytes.Length)
    file.Write(bytes, 0, bytes.Length)
