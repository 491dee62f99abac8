// Your own data: a CSV/TSV whose column roles are declared in F# (csvData), compared across models.
// This copy reads the committed sample data/synthetic-sample.csv; point `csvData` at your file and
// name its columns to run the same study on it.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/custom-csv.fsx [-- --epochs 10] [--results DIR]
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

#load "ScriptArgs.fsx"

open System.IO
open Msr.Dsl
open ScriptArgs

let clicks =
    csvData (Path.Combine(__SOURCE_DIRECTORY__, "..", "data", "synthetic-sample.csv")) {
        sparse [ "user_id"; "item_id"; "user_attr1"; "item_attr1"; "user_attr2"; "item_attr2" ]
        dense [ "dense1"; "dense2" ]
        label "click"
        scenarios (EachValue "scenario")
        named "sample"
    }

let study =
    experiment "Custom CSV: shared bottom against scenario-aware models" {
        dataset clicks
        compare [ "BaseDNN"; "SharedBottom"; "STAR" ]
        seeds [ 1; 2 ]
        epochs (number "--epochs" 10 all)
        batchSize 256
        resultsIn (text "--results" "results/custom-csv" all)
        noCache
    }

let result = Execution.run study
printfn "\n%s" (Tables.summary result.Records)
