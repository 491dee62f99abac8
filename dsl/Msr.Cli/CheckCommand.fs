/// `msr check`: the CI regression gate. Exit 0 when every (dataset, scenario, model, metric) of the current results is
/// shown non-inferior to the baseline within the margin, 1 when one is not, 2 on unusable input.
module Msr.Cli.CheckCommand

open System
open System.Globalization
open System.IO
open Argu
open Msr.Core.Reports
open Msr.Core.Stats

type CheckArgs =
    | [<Mandatory>] Baseline of results_folder: string
    | [<Mandatory>] Current of results_folder: string
    | Metric of names: string list
    | Alpha of level: float
    | Margin of ``value|metric=value``: string
    | Test of name: string
    | Scenario of names: string list
    | Allow_Failed
    | Ignore of field: string
    | [<AltCommandLine("-o")>] Output of file: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Baseline _ -> "folder of the baseline's run records (*.json), e.g. ci/baseline"
            | Current _ -> "folder of the run records to check"
            | Metric _ -> "metrics to check: auc, logloss (default both)"
            | Alpha _ -> "level of each one-sided test (default 0.05)"
            | Margin _ -> "largest loss still counted as not worse, in metric units (default 0.001); metric=value sets one metric's (repeatable)"
            | Test _ -> "welch (default) or mann-whitney"
            | Scenario _ -> "scenarios to check, e.g. --scenario overall (default: overall and every scenario)"
            | Allow_Failed -> "check without failed runs instead of exiting 2"
            | Ignore _ -> "configuration field to leave out of matching, e.g. dataset_path (repeatable)"
            | Output _ -> "also write the printed report to FILE"

let private parseTest (name: string) =
    match name.Trim().ToLowerInvariant() with
    | "welch" | "t" | "t-test" -> NonInferiorityTest.Welch
    | "mann-whitney" | "mwu" -> NonInferiorityTest.MannWhitney
    | _ -> invalidArg "test" (sprintf "Unknown test '%s'. Tests: welch, mann-whitney." name)

let private parseNumber (flag: string) (text: string) =
    match Double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture) with
    | true, v -> v
    | _ -> invalidArg flag (sprintf "--%s expects a number, got '%s'" flag text)

/// `--margin 0.01` sets every metric's margin, `--margin logloss=0.02` one metric's.
let private margins (items: string list) =
    let all = items |> List.filter (fun m -> not (m.Contains '=')) |> List.map (parseNumber "margin")
    let perMetric =
        items
        |> List.filter (fun m -> m.Contains '=')
        |> List.map (fun m ->
            let i = m.IndexOf '='
            (Metric.Get(m.Substring(0, i))).Name, parseNumber "margin" (m.Substring(i + 1)))
    if all.Length > 1 then invalidArg "margin" "--margin without a metric name may be given once"
    List.tryHead all, readOnlyDict perMetric

/// Check options from the command line (unknown names raise ArgumentException naming them).
let options (args: ParseResults<CheckArgs>) =
    let margin, perMetric = margins (args.GetResults Margin)
    let metrics = ReportCommand.metricNames (args.GetResults Metric)
    let scenarios = ReportCommand.scenarioNames (args.GetResults Scenario)
    let defaults = RegressionCheckOptions()
    let opts =
        RegressionCheckOptions(
            Metrics = ResizeArray metrics,
            Alpha = args.GetResult(Alpha, defaultValue = defaults.Alpha),
            Margin = defaultArg margin defaults.Margin,
            Margins = perMetric,
            Test = (args.TryGetResult Test |> Option.map parseTest |> Option.defaultValue NonInferiorityTest.Welch),
            AllowFailed = args.Contains Allow_Failed,
            Scenarios = scenarios,
            Ignore = ResizeArray(args.GetResults Ignore |> List.map (fun s -> s.Trim())))
    opts.Validate()
    opts

/// A missing folder, a folder without records or a malformed record raises an exception naming it; the caller prints
/// it and exits with code 2.
let private check (out: TextWriter) (args: ParseResults<CheckArgs>) =
    ReportCommand.checkOutputFile (args.TryGetResult Output)
    let opts = options args
    let baseline = ReportCommand.readRecords (args.GetResult Baseline)
    let current = ReportCommand.readRecords (args.GetResult Current)
    let result = RegressionCheck.Run(baseline, current, opts)
    let text = RegressionCheck.Render result
    out.Write text
    args.TryGetResult Output
    |> Option.iter (fun file ->
        let full = Path.GetFullPath file
        Directory.CreateDirectory(Path.GetDirectoryName full) |> ignore
        File.WriteAllText(full, text))
    result.ExitCode

/// Runs `msr check`; returns the exit code (0 pass, 1 regression, 2 unusable input: printed by the caller).
let run (out: TextWriter) (args: ParseResults<CheckArgs>) =
    try
        check out args
    with :? ArgumentException as e when not (isNull e.ParamName) ->
        raise (ArgumentException(ReportCommand.plain e, e))
