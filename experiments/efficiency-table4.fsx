// The benchmark paper's Table 4: per model, training seconds per epoch, inference milliseconds per batch and the
// parameter count, measured by the runs themselves (core/Reports/EfficiencyTable.cs; `msr bench train` gives the
// same figures for one run). Timings depend on the machine and on what else runs on it: compare models measured in
// one session, on an otherwise idle machine.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/efficiency-table4.fsx -- [--dataset NAME --path DIR] [--rows 100000] [--epochs 2]
//       [--seeds 1] [--models A,B] [--results DIR]
//
// Without --dataset it measures on the embedded synthetic data (--rows rows); with it, on that dataset's files at
// --path, with the dataset's own batch size.
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

#load "ScriptArgs.fsx"

open Msr.Core.Models
open Msr.Core.Reports
open Msr.Dsl
open ScriptArgs

let data =
    match text "--dataset" "" all, text "--path" "" all with
    | "", _ -> Dataset.synthetic |> Dataset.with' "rows" (number "--rows" 100000 all)
    | name, "" -> Dataset.named name
    | name, path -> Dataset.at name path

let study =
    experiment "Table 4: efficiency" {
        dataset data
        // The benchmark tables have no behaviour histories, so the models that read them (SACN) sit out unless named.
        compare (names "--models" [ for m in ModelRegistry.All do if not m.RequiresHistories then m.Name ] all)
        seeds [ 1 .. number "--seeds" 1 all ]
        epochs (number "--epochs" 2 all)
        resultsIn (text "--results" "results/efficiency-table4" all)
    }

let result = Grid.orExit (fun () -> Execution.run study)
let records = List.toArray result.Records
printfn "\n%s" (MarkdownRenderer.Render(ComparisonReport(ReportOptions(), [||], EfficiencyTables.Build records, [||], [||])))
