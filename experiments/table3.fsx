// The benchmark paper's Table 3 protocol on one dataset: the multi-scenario models Msr implements,
// 10 seeds (2022-2031), the reference trainer (Adam 1e-3, weight decay 1e-5, early stopping on
// validation AUC with the dataset's patience and batch size, at most 100 epochs), test AUC and
// logloss overall and per scenario, "*" where the best is significantly better than the runner-up
// (two-sided Welch t-test, p < 0.05).
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/table3.fsx -- movielens /data/ml-1m [--seeds 10] [--epochs 100] [--results DIR]
//
// Results go to results/table3-<dataset>; re-running resumes. The LaTeX, CSV, JSON and HTML
// forms of the table come from `msr report results/table3-<dataset> --format latex|csv|json|html`.
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

#load "ScriptArgs.fsx"

open Msr.Dsl
open ScriptArgs

let datasetName, path =
    match positionals all with
    | [ name; path ] -> name, path
    | _ -> failwith "usage: dotnet fsi experiments/table3.fsx -- <dataset> <path> [--seeds N] [--epochs N] [--results DIR]"
let seedCount = number "--seeds" 10 all

let study =
    experiment ("Table 3 on " + datasetName) {
        dataset (Dataset.at datasetName path)
        compare [ "SharedBottom"; "MMoE"; "PLE"; "STAR" ]
        seeds [ 2022 .. 2022 + seedCount - 1 ]
        epochs (number "--epochs" 100 all)
        resultsIn (text "--results" ("results/table3-" + datasetName) all)
    }

let result = Execution.run study
printfn "\n%s" (Tables.summaryWithEfficiency result.Records)
