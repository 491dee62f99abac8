/// Running an experiment grid: resumable, one atomic record per finished run, progress as it goes.
module Msr.Dsl.Execution

open System
open System.Diagnostics
open Msr.Core.Experiments
open Msr.Core.Native
open Msr.Core.Results
open Msr.Core.Training

/// What happened to each run of a grid.
type RunOutcome =
    | Trained of RunRecord
    /// Found in the results folder from an earlier (possibly interrupted) execution.
    | Resumed of RunRecord
    | Diverged of RunRecord

/// Progress events, for a console printer or a test.
type Progress =
    | GridStarted of title: string * runs: int * alreadyDone: int * folder: string
    | DatasetLoaded of name: string * rows: int64 * seconds: float * fromCache: bool
    | RunStarted of index: int * total: int * spec: RunSpec
    | EpochDone of index: int * total: int * spec: RunSpec * epoch: EpochProgress
    | RunFinished of index: int * total: int * outcome: RunOutcome * elapsed: TimeSpan * eta: TimeSpan option

/// The outcome of executing a grid.
type GridResult =
    { Experiment: Experiment
      Folder: string
      Outcomes: RunOutcome list }
    member this.Records = this.Outcomes |> List.map (function Trained r | Resumed r | Diverged r -> r)
    member this.Trained = this.Outcomes |> List.filter (function Trained _ -> true | _ -> false) |> List.length
    member this.Resumed = this.Outcomes |> List.filter (function Resumed _ -> true | _ -> false) |> List.length
    member this.Failed = this.Outcomes |> List.filter (function Diverged _ -> true | _ -> false) |> List.length

let private describe (s: RunSpec) = sprintf "%s · seed %d · %s" s.Model s.Seed s.Dataset

/// Writes progress lines (one per epoch and per run: readable in CI logs too).
let printProgress (out: IO.TextWriter) (p: Progress) =
    let printfn format = fprintfn out format
    match p with
    | GridStarted(title, runs, doneAlready, folder) ->
        printfn "%s: %d runs (%d already in %s)" title runs doneAlready folder
    | DatasetLoaded(name, rows, seconds, fromCache) ->
        printfn "  loaded %s: %d rows in %.1f s%s" name rows seconds (if fromCache then " (from cache)" else "")
    | RunStarted(i, n, spec) -> printfn "  [%d/%d] %s" i n (describe spec)
    | EpochDone(_, _, _, e) ->
        let auc = if e.Record.ValidationAuc.HasValue then sprintf "%.4f" e.Record.ValidationAuc.Value else "–"
        printfn "        epoch %d/%d  loss %.4f  val AUC %s%s  %.1f s" e.Epoch e.EpochBudget e.Record.TrainLoss auc
            (if e.Improved then " *" else "") (e.Record.TrainSeconds + e.Record.ValidationSeconds)
    | RunFinished(i, n, outcome, elapsed, eta) ->
        let etaText = eta |> Option.map (fun t -> sprintf ", about %s left" (t.ToString(@"m\:ss"))) |> Option.defaultValue ""
        match outcome with
        | Trained r -> printfn "  [%d/%d] done: test AUC %.4f in %.1f s%s" i n r.Test.Overall.Auc.Value elapsed.TotalSeconds etaText
        | Resumed _ -> ()
        | Diverged r -> printfn "  [%d/%d] FAILED: %s%s" i n r.Error etaText

/// Runs every run of the experiment that is not already recorded in its results folder.
/// Each finished run is written atomically before the next starts, so an interrupted grid loses
/// at most the run in progress and a second call resumes where it stopped.
let runWith (progress: Progress -> unit) (e: Experiment) : GridResult =
    let specs = Grid.compile e
    let folder = defaultArg e.ResultsFolder (IO.Path.Combine("results", e.Title |> String.map (fun c -> if Char.IsLetterOrDigit c then Char.ToLowerInvariant c else '-')))
    TorchRuntime.SetThreadsOnce(defaultArg e.Threads Environment.ProcessorCount)
    let store = ResultStore(folder)
    let total = specs.Length
    let already = specs |> List.filter (fun s -> store.Contains s.RunId) |> List.length
    progress (GridStarted(e.Title, total, already, store.Folder))

    let indexed = specs |> List.mapi (fun i s -> i + 1, s)
    let pending = indexed |> List.filter (fun (_, s) -> not (store.Contains s.RunId))
    let clock = Stopwatch.StartNew()
    let mutable finished = 0
    let outcomes = Collections.Generic.Dictionary<int, RunOutcome>()
    for i, s in indexed do
        if store.Contains s.RunId then outcomes.[i] <- Resumed(store.TryRead s.RunId)

    // Load each dataset once, prepare (validate) all its runs before training any, then train.
    let datasetKey (s: RunSpec) =
        s.Dataset.ToLowerInvariant(), s.DatasetPath, [ for kv in s.DatasetOptions -> kv.Key.ToLowerInvariant(), kv.Value ] |> List.sort
    for (name, path, options), group in pending |> List.groupBy (snd >> datasetKey) do
        let loadClock = Stopwatch.StartNew()
        use data = LoadedDataset.Load(name, path, readOnlyDict options, Option.toObj e.CacheFolder)
        progress (DatasetLoaded(data.Loader.Name, data.Data.Count, loadClock.Elapsed.TotalSeconds, data.FromCache))
        let prepared = group |> List.map (fun (i, s) -> i, ExperimentRunner.Prepare(s, data))
        for i, run in prepared do
            progress (RunStarted(i, total, run.Spec))
            let runClock = Stopwatch.StartNew()
            let record = ExperimentRunner.Run(run, data, (fun ep -> progress (EpochDone(i, total, run.Spec, ep))))
            store.Write record
            finished <- finished + 1
            let remaining = pending.Length - finished
            let eta = if remaining > 0 then Some(TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / float finished * float remaining)) else None
            let outcome = if record.IsCompleted then Trained record else Diverged record
            outcomes.[i] <- outcome
            progress (RunFinished(i, total, outcome, runClock.Elapsed, eta))

    { Experiment = e
      Folder = store.Folder
      Outcomes = indexed |> List.map (fun (i, _) -> outcomes.[i]) }

/// Progress lines on standard output.
let consoleProgress (p: Progress) = printProgress Console.Out p

/// Runs the experiment with console progress.
let run (e: Experiment) = runWith consoleProgress e
