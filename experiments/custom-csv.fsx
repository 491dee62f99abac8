// Your own data: a CSV/TSV whose column roles are declared in F# (csvData), compared across models.
// This copy reads the committed sample data/synthetic-sample.csv.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/custom-csv.fsx [-- --epochs 10] [--results DIR]
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

#load "ScriptArgs.fsx"
#load "Samples.fsx"

open Msr.Dsl
open ScriptArgs

// The committed sample, declared with csvData in Samples.fsx: copy that declaration, point it at your file and
// name its columns to run the same study on your data.
let clicks = Samples.committed

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

let result = Grid.orExit (fun () -> Execution.run study)
printfn "\n%s" (Tables.summary result.Records)
