// The sequence models on MovieLens-100K with behaviour histories (docs/fidelity.md, "SACN and SFPNet's full form"):
// each rating carries the user's last 20 films before it and their genres, and SFPNet (full form and sequence-free),
// SACN (the paper's input, and with the other fields) and BaseDNN are compared over five seeds.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/sequence-models.fsx -- [/path/to/ml-100k] [--device cuda] [--seeds 5] [--epochs 20]
//                                                [--threads <all cores>] [--results results/sequence-models]
//
// Without a path it reads ../shared/data/movielens-100k when that folder exists. On two CPU cores SACN takes about a
// minute per epoch (its attention runs once per scenario; docs/performance.md), so the whole grid takes hours there;
// on a GPU, minutes. On a CPU, `--threads 1` runs SACN faster than two threads (libtorch's fused attention kernel does
// not gain from a second thread: docs/performance.md); two copies of this script with `--threads 1` and MSR_CLAIM=1,
// sharing the results folder, use two cores better (each claims the runs the other has not taken).
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"
#load "ScriptArgs.fsx"

open System.IO
open Msr.Dsl
open ScriptArgs

let path =
    match positionals all with
    | [ p ] -> p
    | _ -> Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "shared", "data", "movielens-100k")
if not (Directory.Exists path) then failwithf "MovieLens-100K not found at %s; pass its folder as the argument" path

let study =
    experiment "MovieLens-100K with behaviour histories" {
        dataset (Dataset.movielens100k path |> Dataset.withHistory 20 |> Dataset.withHistoryAttributes [ "cate_id" ])
        compare [ "BaseDNN"; "SFPNet"; "SACN" ]
        sweepFor [ "SFPNet" ] "sequences" [ "auto"; "off" ]
        sweepFor [ "SACN" ] "context_features" [ "false"; "true" ]
        seeds [ 2022 .. 2021 + number "--seeds" 5 all ]
        epochs (number "--epochs" 20 all)
        device (text "--device" "cpu" all)
        threads (number "--threads" System.Environment.ProcessorCount all)
        resultsIn (text "--results" "results/sequence-models" all)
    }

let result = Execution.run study
printfn "\n%s" (Tables.summaryWithEfficiency result.Records)
