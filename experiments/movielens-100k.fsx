// A quick multi-scenario study on MovieLens-100K (age-group scenarios, as the benchmark's
// MovieLens-1M rule): BaseDNN against the scenario-aware models, 3 seeds.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/movielens-100k.fsx -- /path/to/ml-100k
//
// Without an argument it reads ../shared/data/movielens-100k when that folder exists.
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

open System.IO
open Msr.Dsl

let path =
    match fsi.CommandLineArgs |> Array.skip 1 with
    | [| p |] -> p
    | _ -> Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "shared", "data", "movielens-100k")
if not (Directory.Exists path) then failwithf "MovieLens-100K not found at %s; pass its folder as the argument" path

let study =
    experiment "MovieLens-100K, age-group scenarios" {
        dataset (Dataset.movielens100k path)
        compare [ "BaseDNN"; "SharedBottom"; "MMoE"; "PLE"; "STAR" ]
        seeds [ 1 .. 3 ]
        epochs 20
        batchSize 1024
        resultsIn "results/movielens-100k"
    }

let result = Execution.run study
printfn "\n%s" (Tables.summaryWithEfficiency result.Records)
