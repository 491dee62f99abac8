// How models fare as the number of scenarios grows (the benchmark paper's scenario-number study,
// its Figure 3, here on synthetic data whose scenario count we control): the same generator with
// 2, 3, 4, 6 and 8 scenarios, each model over 3 seeds. Writes an HTML report with the tables and
// figures (including metric against scenario count) to results/scenario-number/report.html.
//
//   dotnet build dsl/Msr.Cli -c Release
//   dotnet fsi experiments/scenario-number.fsx
#I "../dsl/Msr.Cli/bin/Release/net10.0"
#r "TorchSharp.dll"
#r "Msr.Core.dll"
#r "Msr.Dsl.dll"

open System.IO
open Msr.Core.Reports
open Msr.Dsl

let folder = "results/scenario-number"

let study =
    experiment "Scenario number on synthetic data" {
        datasets [ for scenarios in [ 2; 3; 4; 6; 8 ] -> Dataset.synthetic |> Dataset.with' "rows" 40000 |> Dataset.with' "scenarios" scenarios ]
        compare [ "BaseDNN"; "SharedBottom"; "MMoE"; "STAR" ]
        seeds [ 1 .. 3 ]
        epochs 4
        batchSize 1024
        resultsIn folder
    }

let result = Execution.run study
let report = ComparisonReports.Build(List.toArray result.Records, ReportOptions(), efficiency = true)
let notes = System.Collections.Generic.List<string>()
let figures = ReportPlots.ToFigures(ReportPlots.All(report, notes))
File.WriteAllText(Path.Combine(folder, "report.html"), HtmlRenderer.Render(report, figures))
for note in notes do printfn "note: %s" note
printfn "report: %s" (Path.GetFullPath(Path.Combine(folder, "report.html")))
