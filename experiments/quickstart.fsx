// Quick start: a small multi-scenario study on the embedded synthetic data (no files needed), printed as the
// paper-style table. Takes about a minute on a laptop.
//
//   ./run.sh                      (or: dotnet build dsl/Msr.Cli -c Release)
//   dotnet fsi experiments/quickstart.fsx [-- --rows 20000] [--epochs 3] [--seeds 3] [--models BaseDNN,STAR] [--results DIR]
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

#load "ScriptArgs.fsx"

open Msr.Dsl
open ScriptArgs

let study =
    experiment "Quick start: scenario-aware models on synthetic data" {
        dataset (Dataset.synthetic |> Dataset.with' "rows" (number "--rows" 20000 all))
        compare (names "--models" [ "BaseDNN"; "SharedBottom"; "MMoE"; "STAR" ] all)
        seeds [ 1 .. number "--seeds" 3 all ]
        epochs (number "--epochs" 3 all)
        batchSize 512
        resultsIn (text "--results" "results/quickstart" all)
    }

let result = Grid.orExit (fun () -> Execution.run study)
printfn "\n%s" (Tables.summary result.Records)
