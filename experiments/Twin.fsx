/// The MovieLens-1M-shaped twin the speed scripts train on (docs/performance.md): files written once under the temp
/// folder by MovieLensFileWriter, loaded, and split with seed 2022 as a run splits. `#load "Twin.fsx"` first: it also
/// references the Release build of Msr.
module Twin

#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"

open System.IO
open Msr.Core.Data
open Msr.Core.Data.MovieLens
open Msr.Core.Experiments

/// The twin of `rows` ratings (written on first use) and its random split.
let load (rows: int) =
    let folder = Path.Combine(Path.GetTempPath(), $"msr-profile-{rows}")
    if not (File.Exists(Path.Combine(folder, "ratings.dat"))) then MovieLensFileWriter.Write(folder, int64 rows, 1)
    let data = LoadedDataset.Load("movielens", folder, readOnlyDict [], null)
    data, DatasetSplit.Random(data.Data.Count, 2022L)
