/// `msr report`: significance-marked comparison tables (and Table 4 efficiency tables) from a folder of run records.
module Msr.Cli.ReportCommand

open System
open System.Globalization
open System.IO
open Argu
open Msr.Core.Reports
open Msr.Core.Results
open Msr.Core.Stats

type ReportArgs =
    | [<MainCommand; ExactlyOnce>] Folder of results_folder: string
    | [<AltCommandLine("-f")>] Format of format: string
    | Test of name: string
    | Alpha of level: float
    | Correction of name: string
    | Vs of target: string
    | Spread of kind: string
    | Metric of names: string list
    | Scenario of names: string list
    | Order of models: string list
    | Digits of count: int
    | [<AltCommandLine("-o")>] Output of file: string
    | Efficiency
    | Plots of folder: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Folder _ -> "folder of run records (*.json), e.g. results/main"
            | Format _ -> "md (default), latex, csv, json or html"
            | Test _ -> "welch (default), student, mwu, paired-t, wilcoxon or permutation (the last three pair runs by seed)"
            | Alpha _ -> "significance level (default 0.05)"
            | Correction _ -> "none (default), bonferroni, holm or bh, over all comparisons of a table"
            | Vs _ -> "best (default: * when the best beats the runner-up), MODEL (* better / † worse than MODEL), all (letters of beaten models) or letters (compact letter display)"
            | Spread _ -> "std (default) or se"
            | Metric _ -> "metrics to show: auc, gauc (user-weighted AUC; runs on data with a user column), logloss, e.g. --metric auc gauc logloss (default auc logloss)"
            | Scenario _ -> "scenario columns, e.g. --scenario overall (default: overall and every scenario)"
            | Order _ -> "row and legend order, e.g. --order BaseDNN MMoE STAR: these models first, the rest after them in run order (default: run order = first appearance by start time, the order an experiment lists its models)"
            | Digits _ -> "decimals of means and spreads (default 4)"
            | Output _ -> "write to FILE instead of standard output"
            | Efficiency -> "add the efficiency tables (train s/epoch, infer ms/batch, params)"
            | Plots _ -> "also write PNG (300 dpi) and SVG figures (per-scenario means with 95% intervals, critical-difference diagrams, learning curves, AUC vs number of scenarios) to FOLDER (html embeds them always)"

let private parseTest (name: string) =
    match name.Trim().ToLowerInvariant() with
    | "welch" | "t" | "t-test" -> ComparisonTest.Welch
    | "student" -> ComparisonTest.Student
    | "mwu" | "mann-whitney" -> ComparisonTest.MannWhitney
    | "paired-t" | "paired" -> ComparisonTest.PairedT
    | "wilcoxon" -> ComparisonTest.Wilcoxon
    | "permutation" -> ComparisonTest.Permutation
    | _ -> invalidArg "test" (sprintf "Unknown test '%s'. Tests: welch, student, mwu, paired-t, wilcoxon, permutation." name)

let private parseCorrection (name: string) =
    match name.Trim().ToLowerInvariant() with
    | "none" -> Correction.None
    | "bonferroni" -> Correction.Bonferroni
    | "holm" -> Correction.Holm
    | "bh" | "fdr" | "benjamini-hochberg" -> Correction.BenjaminiHochberg
    | _ -> invalidArg "correction" (sprintf "Unknown correction '%s'. Corrections: none, bonferroni, holm, bh." name)

let private parseSpread (name: string) =
    match name.Trim().ToLowerInvariant() with
    | "std" | "sd" -> SpreadKind.StandardDeviation
    | "se" | "sem" -> SpreadKind.StandardError
    | _ -> invalidArg "spread" (sprintf "Unknown spread '%s'. Spreads: std, se." name)

/// Report options from the command line (unknown names raise ArgumentException naming them).

/// `--metric` values (canonical names, each once), or auc and logloss when none is given.
let metricNames (given: string list list) =
    match List.concat given with
    | [] -> [ "auc"; "logloss" ]
    | names -> names |> List.map (fun n -> (Metric.Get n).Name) |> List.distinct

/// `--scenario` values (each once), or null for every scenario.
let scenarioNames (given: string list list) : Collections.Generic.IReadOnlyList<string> =
    match List.concat given with
    | [] -> null
    | names -> ResizeArray(names |> List.distinct) :> _

let options (args: ParseResults<ReportArgs>) =
    let mode, baseline =
        match args.TryGetResult Vs |> Option.map (fun s -> s.Trim()) with
        | None -> SignificanceMode.VsRunnerUp, null
        | Some v when v.ToLowerInvariant() = "best" || v.ToLowerInvariant() = "runner-up" -> SignificanceMode.VsRunnerUp, null
        | Some v when v.ToLowerInvariant() = "all" -> SignificanceMode.AllPairs, null
        | Some v when v.ToLowerInvariant() = "letters" || v.ToLowerInvariant() = "cld" -> SignificanceMode.CompactLetters, null
        | Some model -> SignificanceMode.VsBaseline, model
    let metrics = metricNames (args.GetResults Metric)
    let scenarios = scenarioNames (args.GetResults Scenario)
    let order =
        match args.GetResults Order |> List.concat with
        | [] -> null
        | names -> ResizeArray(names |> List.distinct) :> Collections.Generic.IReadOnlyList<string>
    ReportOptions(
        Test = (args.TryGetResult Test |> Option.map parseTest |> Option.defaultValue ComparisonTest.Welch),
        Correction = (args.TryGetResult Correction |> Option.map parseCorrection |> Option.defaultValue Correction.None),
        Alpha = args.GetResult(Alpha, defaultValue = 0.05),
        Mode = mode,
        Baseline = baseline,
        Spread = (args.TryGetResult Spread |> Option.map parseSpread |> Option.defaultValue SpreadKind.StandardDeviation),
        Metrics = ResizeArray metrics,
        Scenarios = scenarios,
        ModelOrder = order,
        Digits = args.GetResult(Digits, defaultValue = 4))

/// Reads every record of a folder; a missing folder or a folder without records is an error naming it.
let readRecords (folder: string) =
    if not (Directory.Exists folder) then
        raise (DirectoryNotFoundException(sprintf "results folder '%s' does not exist" folder))
    let contents = ResultStore(folder).Scan()
    // A corrupt or truncated record (a crash of another tool, a partial copy) is named and skipped, never fatal.
    for u in contents.Unreadable do eprintfn "warning: skipped %s: %s" u.File u.Reason
    let records = contents.Records
    if records.Count = 0 then
        raise (InvalidDataException(sprintf "results folder '%s' holds no run records (*.json)" folder))
    records

/// The message of an ArgumentException without .NET's " (Parameter 'x')" suffix: the text already names the culprit.
let plain (e: ArgumentException) =
    // ArgumentOutOfRangeException appends "Actual value was N." on a line of its own: the message already names it.
    let message =
        match e with
        | :? ArgumentOutOfRangeException as r when not (isNull r.ActualValue) ->
            e.Message.Replace(sprintf "%sActual value was %O." Environment.NewLine r.ActualValue, "")
        | _ -> e.Message
    if isNull e.ParamName then message else message.Replace(sprintf " (Parameter '%s')" e.ParamName, "")

/// Refuses an --output that names a folder before any work (.NET would say "access denied" after it).
let checkOutputFile (file: string option) =
    match file with
    | Some f when Directory.Exists f -> invalidArg "output" (sprintf "--output '%s' is a folder; give a file name" f)
    | _ -> ()

let private report (out: TextWriter) (args: ParseResults<ReportArgs>) =
    checkOutputFile (args.TryGetResult Output)
    let format = args.TryGetResult Format |> Option.map ReportRenderer.ParseFormat |> Option.defaultValue ReportFormat.Markdown
    let opts = options args
    opts.Validate()
    let records = readRecords (args.GetResult Folder)
    let report = ComparisonReports.Build(records, opts, args.Contains Efficiency)
    let wantPlots = format = ReportFormat.Html || args.Contains Plots
    let images, plotNote =
        if not wantPlots then [], None
        else
            try
                let notes = ResizeArray()
                List.ofSeq (ReportPlots.All(report, notes)), (if notes.Count = 0 then None else Some(String.Join(" ", notes)))
            with e -> [], Some(sprintf "plots unavailable: %s" e.Message)
    plotNote |> Option.iter (fun n -> eprintfn "note: %s" n)
    match args.TryGetResult Plots with
    | Some folder when not images.IsEmpty ->
        let written = ReportPlots.Save(images, folder)
        fprintfn out "figures: %d file(s) in %s" written.Count (Path.GetFullPath folder)
    | _ -> ()
    let text = ReportRenderer.Render(report, format, ReportPlots.ToFigures images)
    match args.TryGetResult Output with
    | Some file ->
        let full = Path.GetFullPath file
        Directory.CreateDirectory(Path.GetDirectoryName full) |> ignore
        File.WriteAllText(full, text)
        fprintfn out "report: %s (%d table(s), %d run(s), %d failed)" full report.Tables.Count records.Count report.Failed.Count
    | None -> out.Write text
    0

/// Runs `msr report`; returns the exit code. Bad input (missing folder, malformed record, unknown test, metric, scenario
/// or model) raises an exception whose message names the culprit; the caller prints it and exits with code 2.
let run (out: TextWriter) (args: ParseResults<ReportArgs>) =
    try
        report out args
    with :? ArgumentException as e when not (isNull e.ParamName) ->
        raise (ArgumentException(plain e, e))
