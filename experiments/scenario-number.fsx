// How models fare as the number of scenarios grows (the benchmark paper's scenario-number study, its Figure 3):
// KuaiRand with its 3, 4, 5, 6 and 7 largest tabs as scenarios, each model over 3 seeds. Writes an HTML report
// with the tables and figures (including metric against scenario count) to <results>/report.html.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/scenario-number.fsx -- [--kuairand DIR] [--scenarios 3,4,5,6,7] [--models A,B]
//       [--seeds 3] [--epochs 4] [--rows 40000] [--results DIR]
//
// KuaiRand's folder comes from --kuairand or MSR_KUAIRAND. Without it, the embedded synthetic generator stands in
// with the same scenario counts (--rows rows each), so the study and its report run anywhere.
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

#load "ScriptArgs.fsx"

open System.IO
open Msr.Core.Reports
open Msr.Dsl
open ScriptArgs

let counts = names "--scenarios" [ "3"; "4"; "5"; "6"; "7" ] all |> List.map int
let folder = text "--results" "results/scenario-number" all

let data =
    match dataPath "--kuairand" "MSR_KUAIRAND" all with
    | Some path -> [ for k in counts -> Dataset.kuairand path |> Dataset.largestScenarios k ]
    | None ->
        printfn "no KuaiRand data (--kuairand DIR or MSR_KUAIRAND, a folder with kuairand.csv): synthetic data with %s scenarios stands in"
            (counts |> List.map string |> String.concat ", ")
        [ for k in counts -> Dataset.synthetic |> Dataset.with' "rows" (number "--rows" 40000 all) |> Dataset.with' "scenarios" k ]

let study =
    experiment "Scenario number" {
        datasets data
        compare (names "--models" [ "BaseDNN"; "SharedBottom"; "MMoE"; "PLE"; "STAR" ] all)
        seeds [ 1 .. number "--seeds" 3 all ]
        epochs (number "--epochs" 4 all)
        resultsIn folder
    }

let result = Grid.orExit (fun () -> Execution.run study)
let report = ComparisonReports.Build(List.toArray result.Records, ReportOptions(), efficiency = true)
let notes = System.Collections.Generic.List<string>()
let figures = ReportPlots.ToFigures(ReportPlots.All(report, notes))
File.WriteAllText(Path.Combine(result.Folder, "report.html"), HtmlRenderer.Render(report, figures))
for note in notes do printfn "note: %s" note
printfn "report: %s" (Path.GetFullPath(Path.Combine(result.Folder, "report.html")))
