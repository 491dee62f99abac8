// The grid Msr gates itself with (see docs/ci.md): four models on small, easy synthetic data (strong signal, no label
// noise, so seed-to-seed spread stays small), trained briefly with a raised learning rate.
// Usage: dotnet fsi ci/grid.fsx <results-folder> <seed> [<seed> ...]
//   .ci/run runs it with seeds 101-105 into a temporary folder and checks that with `msr check` against ci/baseline;
//   ci/refresh-baseline.sh rewrites ci/baseline with seeds 1-5.
// Change the grid and the committed baseline together: msr check refuses configurations that do not match.
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

open Msr.Dsl

let args = fsi.CommandLineArgs |> Array.skip 1
if args.Length < 2 then
    eprintfn "usage: dotnet fsi ci/grid.fsx <results-folder> <seed> [<seed> ...]"
    exit 2

let data =
    Dataset.synthetic
    |> Dataset.with' "rows" 6000
    |> Dataset.with' "users" 100
    |> Dataset.with' "items" 100
    |> Dataset.with' "shared_signal" 2
    |> Dataset.with' "scenario_signal" 1
    |> Dataset.with' "label_noise" 0

let grid =
    experiment "Msr CI gate" {
        dataset data
        compare [ "BaseDNN"; "SharedBottom"; "MMoE"; "STAR" ]
        seeds [ for s in args[1..] -> int s ]
        epochs 3
        batchSize 256
        learningRate 0.01
        threads 2
        resultsIn args[0]
    }

let result = Execution.runWith ignore grid
printfn "CI grid: %d runs trained, %d resumed, %d failed -> %s" result.Trained result.Resumed result.Failed result.Folder
