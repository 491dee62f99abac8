/// Plain-text (Markdown pipe) tables of run records.
module Msr.Dsl.Tables

open System
open System.Globalization
open Msr.Core.Metrics
open Msr.Core.Reports
open Msr.Core.Results

let private inv (x: float) (digits: int) = x.ToString("F" + string digits, CultureInfo.InvariantCulture)

let private opt digits (x: Nullable<float>) = if x.HasValue then inv x.Value digits else "–"

/// Renders rows as a Markdown pipe table padded into aligned columns: numeric columns right, text left.
let markdown (header: string list) (rows: string list list) =
    Msr.Core.MarkdownTable.Render(List.toArray header, rows |> List.map (fun r -> List.toArray r :> Collections.Generic.IReadOnlyList<string>), padded = true).TrimEnd('\n')

/// Per-scenario metrics of one evaluation: rows, positive rate, AUC, logloss.
let evaluation (e: Evaluation) =
    let row (m: MetricSet) = [ m.Name; string m.Rows; opt 4 m.PositiveRate; opt 4 m.Auc; opt 4 m.LogLoss ]
    markdown [ "scenario"; "rows"; "positive rate"; "AUC"; "logloss" ] [ yield! e.Scenarios |> Seq.map row; row e.Overall ]

/// The paper-style comparison table of a set of run records (core/Reports): per dataset, a row per
/// model variant, overall and per-scenario AUC and logloss as mean ± std over seeds, best bold,
/// second underlined, "*" where the best is significantly better than the runner-up
/// (two-sided Welch t-test, α = 0.05, by default). Failed runs are counted, never averaged.
let significance (options: ReportOptions) (records: RunRecord list) =
    MarkdownRenderer.Render(ComparisonReports.Build(List.toArray records, options))

/// The comparison table with the paper's defaults.
let summary (records: RunRecord list) = significance (ReportOptions()) records

/// The comparison table followed by the paper's Table 4 (train s/epoch, inference ms/batch, parameters per model).
let summaryWithEfficiency (records: RunRecord list) =
    MarkdownRenderer.Render(ComparisonReports.Build(List.toArray records, ReportOptions(), efficiency = true))

/// The readable records of a results folder, for the tables above; files that are not readable records
/// (corrupt, truncated, another schema version) are named on standard error and skipped.
let recordsIn (folder: string) =
    let contents = ResultStore(folder).Scan()
    for u in contents.Unreadable do eprintfn "warning: skipped %s: %s" u.File u.Reason
    List.ofSeq contents.Records
