/// Running an experiment grid: resumable, one atomic record (and weights file) per finished run, failures recorded
/// and skipped, progress as it goes; optionally a dry run, one shard of the grid, or one of several workers
/// sharing a results folder through leases.
module Msr.Dsl.Execution

open System
open System.Diagnostics
open System.Security.Cryptography
open System.Text
open Msr.Core.Experiments
open Msr.Core.Native
open Msr.Core.Results
open Msr.Core.Training
open Spectre.Console

/// What happened to each run of a grid.
type RunOutcome =
    | Trained of RunRecord
    /// Found in the results folder: from an earlier execution, or written meanwhile by another worker.
    | Resumed of RunRecord
    /// Recorded as failed (an exception, divergence, constant predictions); the grid went on.
    | Diverged of RunRecord
    /// Not run by this process: a dry run, another shard, or a run another worker holds.
    | NotRun of spec: RunSpec * reason: string

/// How to execute a grid. Scripts get these from the environment (see `fromEnvironment`), so
/// `msr run script.fsx --dry-run --shard 1/4 --claim` reaches the `Execution.run` inside the script.
type RunOptions =
    { /// List the runs, their ids and what is already done; train nothing.
      DryRun: bool
      /// (i, n): run only the runs whose id hashes to share i of n (1-based); stable for a run id.
      Shard: (int * int) option
      /// Share the results folder with other workers: claim each run with a lease before training it.
      Claim: bool
      /// A lease not renewed for this long belongs to a dead worker and is taken over.
      LeaseTimeout: TimeSpan }

    static member Default = { DryRun = false; Shard = None; Claim = false; LeaseTimeout = TimeSpan.FromMinutes 5.0 }

/// Progress events, for a console printer or a test.
type Progress =
    | GridStarted of title: string * runs: int * alreadyDone: int * folder: string
    /// Records in the folder that belong to no run of this grid (another configuration, data or code version),
    /// and files that are not readable records; all are ignored.
    | FolderChecked of stale: int * unreadable: UnreadableRecord list
    /// Data files whose contents run ids hash and that were not seen before (read once: remembered by path, size and time).
    | Fingerprinting of path: string * bytes: int64
    | DatasetLoaded of name: string * rows: int64 * seconds: float * fromCache: bool
    /// Dry run: one line per run of the grid with its id and state.
    | Planned of index: int * total: int * spec: RunSpec * runId: string * state: string
    | RunStarted of index: int * total: int * spec: RunSpec
    | BatchDone of index: int * total: int * spec: RunSpec * batch: BatchProgress
    | EpochDone of index: int * total: int * spec: RunSpec * epoch: EpochProgress
    | RunFinished of index: int * total: int * outcome: RunOutcome * elapsed: TimeSpan * eta: TimeSpan option

/// The outcome of executing a grid.
type GridResult =
    { Experiment: Experiment
      Folder: string
      Outcomes: RunOutcome list
      /// Records in the folder from another configuration or code version (ignored).
      Stale: int
      /// Files in the folder that could not be read as records (reported, ignored).
      Unreadable: UnreadableRecord list }
    member this.Records = this.Outcomes |> List.choose (function Trained r | Resumed r | Diverged r -> Some r | NotRun _ -> None)
    member this.Trained = this.Outcomes |> List.filter (function Trained _ -> true | _ -> false) |> List.length
    member this.Resumed = this.Outcomes |> List.filter (function Resumed _ -> true | _ -> false) |> List.length
    member this.Failed = this.Outcomes |> List.filter (function Diverged _ -> true | _ -> false) |> List.length
    member this.NotRun = this.Outcomes |> List.filter (function NotRun _ -> true | _ -> false) |> List.length

/// Parses "i/n" (1 ≤ i ≤ n).
let parseShard (text: string) =
    match text.Split('/') |> Array.map (fun s -> Int32.TryParse(s.Trim())) with
    | [| true, i; true, n |] when n >= 1 && i >= 1 && i <= n -> i, n
    | _ -> invalidArg "shard" (sprintf "shard '%s': expected i/n with 1 <= i <= n, e.g. 2/4" text)

/// Options from MSR_DRY_RUN, MSR_SHARD (i/n), MSR_CLAIM and MSR_LEASE_SECONDS, which `msr run script.fsx` sets.
let fromEnvironment () =
    let env name = Environment.GetEnvironmentVariable name |> Option.ofObj |> Option.filter (String.IsNullOrWhiteSpace >> not)
    let flag name = env name |> Option.exists (fun v -> v = "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase))
    { DryRun = flag "MSR_DRY_RUN"
      Shard = env "MSR_SHARD" |> Option.map parseShard
      Claim = flag "MSR_CLAIM"
      LeaseTimeout =
        match env "MSR_LEASE_SECONDS" |> Option.map Double.TryParse with
        | Some(true, s) when s > 0.0 -> TimeSpan.FromSeconds s
        | Some _ -> invalidArg "MSR_LEASE_SECONDS" "MSR_LEASE_SECONDS must be a positive number of seconds"
        | None -> RunOptions.Default.LeaseTimeout }

/// The share (0-based, of n) a run id falls in: from a hash of the id, so it never depends on the other runs.
let shardOf (runId: string) (n: int) =
    let hash = SHA256.HashData(Encoding.UTF8.GetBytes runId)
    int (BitConverter.ToUInt64(hash, 0) % uint64 n)

let private describe (s: RunSpec) = sprintf "%s · seed %d · %s" s.Model s.Seed s.Dataset

let private minutes (t: TimeSpan) = t.ToString(if t.TotalHours >= 1.0 then @"h\:mm\:ss" else @"m\:ss")

/// Writes progress lines: one per epoch and per run, readable in CI logs.
let printProgress (out: IO.TextWriter) (p: Progress) =
    let printfn format = fprintfn out format
    match p with
    | GridStarted(title, runs, doneAlready, folder) -> printfn "%s: %d runs (%d already in %s)" title runs doneAlready folder
    | FolderChecked(stale, unreadable) ->
        if stale > 0 then printfn "  %d record(s) in the folder are from another configuration or code version: ignored (stale)" stale
        for u in unreadable do printfn "  skipped unreadable record %s: %s" u.File u.Reason
    | Fingerprinting(path, bytes) ->
        printfn "  reading %s (%.1f MB) once to fingerprint it for run ids" path (float bytes / 1e6)
    | DatasetLoaded(name, rows, seconds, fromCache) ->
        printfn "  loaded %s: %d rows in %.1f s%s" name rows seconds (if fromCache then " (from cache)" else "")
    | Planned(i, n, spec, id, state) -> printfn "  [%d/%d] %-10s %s  (%s)" i n state id (describe spec)
    | RunStarted(i, n, spec) -> printfn "  [%d/%d] %s  %s" i n (describe spec) spec.RunId
    | BatchDone _ -> ()
    | EpochDone(_, _, _, e) ->
        let auc = if e.Record.ValidationAuc.HasValue then sprintf "%.4f" e.Record.ValidationAuc.Value else "–"
        printfn "        epoch %d/%d  loss %.4f  val AUC %s%s  %.1f s  %.0f samples/s%s" e.Epoch e.EpochBudget e.Record.TrainLoss auc
            (if e.Improved then " *" else "") (e.Record.TrainSeconds + e.Record.ValidationSeconds)
            (if e.Record.TrainSeconds > 0.0 then float e.Record.TrainRows / e.Record.TrainSeconds else 0.0)
            (if e.FromCheckpoint then "  (from checkpoint)" else "")
    | RunFinished(i, n, outcome, elapsed, eta) ->
        let etaText = eta |> Option.map (fun t -> sprintf ", about %s left" (minutes t)) |> Option.defaultValue ""
        match outcome with
        | Trained r -> printfn "  [%d/%d] done %s: test AUC %.4f in %.1f s%s" i n r.RunId r.Test.Overall.Auc.Value elapsed.TotalSeconds etaText
        | Resumed _ -> ()
        | Diverged r -> printfn "  [%d/%d] FAILED %s: %s%s" i n r.RunId r.Error etaText
        | NotRun(spec, reason) -> printfn "  [%d/%d] not run %s: %s" i n spec.RunId reason

/// A run of the grid with its position: `Id` its run id (computed once: it fingerprints the data files) and
/// `LegacyId` its id from before run ids fingerprinted data by content. A record under either is this run's, so results
/// written before are not trained again; an epoch checkpoint left under the old id is not picked up (that run restarts).
type private PlannedRun = { Index: int; Spec: RunSpec; Id: string; LegacyId: string }

let private resultsFolder (e: Experiment) =
    defaultArg e.ResultsFolder (IO.Path.Combine("results", e.Title |> String.map (fun c -> if Char.IsLetterOrDigit c then Char.ToLowerInvariant c else '-')))

let private datasetKey (s: RunSpec) =
    s.Dataset.ToLowerInvariant(), s.DatasetPath, [ for kv in s.DatasetOptions -> kv.Key.ToLowerInvariant(), kv.Value ] |> List.sort

/// Keeps the dataset of the current run loaded, loading another only when a run needs it. A dataset that fails to
/// load (a missing or malformed file) is remembered as failed, so its runs fail without reading the file again.
type private DatasetSlot(e: Experiment, progress: Progress -> unit) =
    let mutable current: ((string * string * (string * string) list) * Result<LoadedDataset, exn>) option = None
    let release () = match current with Some(_, Ok d) -> d.Dispose() | _ -> ()
    member _.For(spec: RunSpec) : Result<LoadedDataset, exn> =
        let key = datasetKey spec
        match current with
        | Some(k, data) when k = key -> data
        | _ ->
            release ()
            current <- None
            let name, path, options = key
            let clock = Stopwatch.StartNew()
            let data = try Ok(LoadedDataset.Load(name, path, readOnlyDict options, Option.toObj e.CacheFolder)) with ex -> Error ex
            current <- Some(key, data)
            data |> Result.iter (fun d -> progress (DatasetLoaded(d.Loader.Name, d.Data.Count, clock.Elapsed.TotalSeconds, d.FromCache)))
            data
    interface IDisposable with
        member _.Dispose() = release ()

/// Trains one run (load and preparation failures become failed records too) and returns its record, not yet written.
let private train (store: ResultStore) (loaded: Result<LoadedDataset, exn>) (total: int) (progress: Progress -> unit) (cancel: Threading.CancellationToken) (run: PlannedRun) =
    progress (RunStarted(run.Index, total, run.Spec))
    match loaded with
    | Error e -> ExperimentRunner.FailedLoad(run.Spec, e)
    | Ok data ->
        match (try Ok(ExperimentRunner.Prepare(run.Spec, data)) with e -> Error e) with
        | Error e -> ExperimentRunner.FailedPreparation(run.Spec, data, e)
        | Ok prepared ->
            ExperimentRunner.Run(prepared, data, (fun ep -> progress (EpochDone(run.Index, total, run.Spec, ep))), cancel,
                                 (fun b -> progress (BatchDone(run.Index, total, run.Spec, b))), store.WeightsPathOf run.Id,
                                 store.CheckpointPathOf run.Id)

/// Runs the grid under `options`, reporting to `progress`. Each finished run is written atomically before the
/// next starts, and the run in progress keeps an epoch checkpoint beside it, so an interrupted grid loses at most
/// the epoch in progress and a second call resumes where it stopped. A run that fails is recorded as failed with its reason and the grid goes on; a record that cannot be
/// read is reported and its run trained again; records of other configurations or code versions are ignored.
let runWithOptions (options: RunOptions) (progress: Progress -> unit) (e: Experiment) : GridResult =
    // Run ids hash the data files' contents; a large dataset seen for the first time takes a while, so say so first
    // (after the plan is checked: a mistake in it is reported before any file is read).
    let e = Grid.validate e
    for path in e.Datasets |> List.choose (fun d -> d.Path) |> List.distinct do
        match DataFingerprint.BytesToHash path with
        | 0L -> ()
        | bytes -> progress (Fingerprinting(path, bytes))
    let runs = Grid.compile e |> List.mapi (fun i s -> { Index = i + 1; Spec = s; Id = s.RunId; LegacyId = s.LegacyRunId })
    let total = runs.Length
    TorchRuntime.SetThreadsOnce(defaultArg e.Threads Environment.ProcessorCount)
    let store = ResultStore(resultsFolder e)
    let contents = store.Scan()
    let byId = contents.Records |> Seq.map (fun r -> r.RunId, r) |> Map.ofSeq
    let existing =
        runs |> List.choose (fun r -> byId.TryFind r.Id |> Option.orElse (byId.TryFind r.LegacyId) |> Option.map (fun record -> r.Index, record))
    let adopted = existing |> List.map (fun (_, record) -> record.RunId) |> set
    let stale = contents.Records |> Seq.filter (fun r -> not (adopted.Contains r.RunId)) |> Seq.length
    let unreadable = List.ofSeq contents.Unreadable
    progress (GridStarted(e.Title, total, existing.Length, store.Folder))
    if stale > 0 || not unreadable.IsEmpty then progress (FolderChecked(stale, unreadable))

    let outcomes = Collections.Generic.Dictionary<int, RunOutcome>()
    for index, record in existing do outcomes.[index] <- Resumed record
    let inShard (r: PlannedRun) = options.Shard |> Option.forall (fun (i, n) -> shardOf r.Id n = i - 1)
    let pending = runs |> List.filter (fun r -> not (outcomes.ContainsKey r.Index) && inShard r)
    for r in runs do
        if not (outcomes.ContainsKey r.Index) && not (inShard r) then
            outcomes.[r.Index] <- NotRun(r.Spec, sprintf "shard %d of %d" (shardOf r.Id (snd options.Shard.Value) + 1) (snd options.Shard.Value))

    if options.DryRun then
        for r in runs do
            let state =
                match outcomes.TryGetValue r.Index with
                | true, Resumed record when record.IsCompleted -> "done"
                | true, Resumed _ -> "failed"
                | true, NotRun _ -> "other shard"
                | _ ->
                    // A run stopped mid-way left its epoch checkpoint: it will continue, not start over.
                    let next = if IO.File.Exists(store.CheckpointPathOf r.Id) then "to resume" else "to run"
                    match RunLease.Inspect(RunLease.PathOf(store.Folder, r.Id)) with
                    | struct (null, _) -> next
                    | struct (holder, age) when age < options.LeaseTimeout -> sprintf "running (%s)" (holder.Split(':').[0])
                    | _ -> next + " (stale lease)"
            progress (Planned(r.Index, total, r.Spec, r.Id, state))
        for r in pending do outcomes.[r.Index] <- NotRun(r.Spec, "dry run")
    else
        let clock = Stopwatch.StartNew()
        let mutable finished = 0
        let finish (r: PlannedRun) (record: RunRecord) (runClock: Stopwatch) (remaining: int) =
            finished <- finished + 1
            let eta = if remaining > 0 then Some(TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / float finished * float remaining)) else None
            let outcome = if record.IsCompleted then Trained record else Diverged record
            outcomes.[r.Index] <- outcome
            progress (RunFinished(r.Index, total, outcome, runClock.Elapsed, eta))
        use datasets = new DatasetSlot(e, progress)
        if not options.Claim then
            // Group by dataset so each is loaded once.
            let ordered = pending |> List.groupBy (fun r -> datasetKey r.Spec) |> List.collect snd
            ordered |> List.iteri (fun k r ->
                let runClock = Stopwatch.StartNew()
                let record = train store (datasets.For r.Spec) total progress Threading.CancellationToken.None r
                store.Write record
                finish r record runClock (ordered.Length - k - 1))
        else
            // Workers share the folder: claim a run, train it, write it, release it; wait for runs others hold
            // until they are recorded or their lease expires (the holder died) and this worker takes them over.
            let stored (r: PlannedRun) = match store.TryRead r.Id with | null -> store.TryRead r.LegacyId | record -> record
            let mutable open' = pending
            while not open'.IsEmpty do
                let mutable progressed = false
                for r in open' do
                    match stored r with
                    | null -> ()
                    | record ->
                        outcomes.[r.Index] <- Resumed record
                        progressed <- true
                    if not (outcomes.ContainsKey r.Index) then
                        match RunLease.TryAcquire(store.Folder, r.Id, options.LeaseTimeout) with
                        | null -> ()
                        | lease ->
                            use lease = lease
                            progressed <- true
                            match stored r with
                            | null -> ()
                            | record -> outcomes.[r.Index] <- Resumed record // finished just before our claim
                            if not (outcomes.ContainsKey r.Index) then
                                let runClock = Stopwatch.StartNew()
                                try
                                    let record = train store (datasets.For r.Spec) total progress lease.Lost r
                                    // A worker frozen past the timeout lost the run to another: it writes nothing and waits for that record.
                                    if lease.StillHeld() then
                                        store.Write record
                                        let remaining = open' |> List.filter (fun o -> not (outcomes.ContainsKey o.Index)) |> List.length
                                        finish r record runClock (max 0 (remaining - 1))
                                with :? OperationCanceledException when lease.Lost.IsCancellationRequested -> ()
                open' <- open' |> List.filter (fun r -> not (outcomes.ContainsKey r.Index))
                if not open'.IsEmpty && not progressed then
                    Threading.Thread.Sleep(TimeSpan.FromTicks(max (TimeSpan.FromMilliseconds 100.0).Ticks (options.LeaseTimeout.Ticks / 4L)))

    { Experiment = e
      Folder = store.Folder
      Outcomes = runs |> List.map (fun r -> match outcomes.TryGetValue r.Index with | true, o -> o | _ -> NotRun(r.Spec, "not run"))
      Stale = stale
      Unreadable = unreadable }

/// Runs the grid with the options from the environment (MSR_DRY_RUN, MSR_SHARD, MSR_CLAIM, MSR_LEASE_SECONDS).
let runWith (progress: Progress -> unit) (e: Experiment) : GridResult = runWithOptions (fromEnvironment ()) progress e

/// Progress lines on standard output.
let consoleProgress (p: Progress) = printProgress Console.Out p

/// Whether standard output is a terminal that can redraw a live display (not a log file or a pipe).
let interactive () = not Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive

/// Runs `work` under a live Spectre.Console display: the grid (run k of n, ETA) and the current epoch
/// (batches, samples/s); finished epochs and runs are printed above it as the plain printer writes them.
let live (work: (Progress -> unit) -> 'T) : 'T =
    AnsiConsole.Progress()
        .AutoClear(true)
        .Columns([| TaskDescriptionColumn(Alignment = Justify.Left) :> ProgressColumn; ProgressBarColumn(); PercentageColumn()
                    RemainingTimeColumn() |])
        .Start<'T>(Func<ProgressContext, 'T>(fun ctx ->
            let grid = ctx.AddTask("grid", true, 1.0)
            let mutable epoch: ProgressTask option = None
            let line (p: Progress) =
                use text = new IO.StringWriter()
                printProgress text p
                let s = text.ToString().TrimEnd()
                if s <> "" then AnsiConsole.WriteLine s
            let handle (p: Progress) =
                match p with
                | GridStarted(title, runs, doneAlready, _) ->
                    grid.Description <- Markup.Escape title
                    grid.MaxValue <- float (max 1 runs)
                    grid.Value <- float doneAlready
                    line p
                | RunStarted(i, n, spec) ->
                    epoch |> Option.iter (fun t -> t.StopTask())
                    epoch <- Some(ctx.AddTask(Markup.Escape(sprintf "[%d/%d] %s s%d" i n spec.Model spec.Seed), true, 1.0))
                    line p
                | BatchDone(i, n, spec, b) ->
                    epoch |> Option.iter (fun t ->
                        t.MaxValue <- float b.Batches
                        t.Value <- float b.Batch
                        let speed = if b.Seconds > 0.0 then float b.Rows / b.Seconds else 0.0
                        // Short enough for an 80-column terminal to keep room for the bar.
                        t.Description <- Markup.Escape(sprintf "[%d/%d] %s s%d · epoch %d/%d · batch %d/%d · %.0f rows/s"
                                                           i n spec.Model spec.Seed b.Epoch b.EpochBudget b.Batch b.Batches speed))
                | RunFinished(_, _, outcome, _, eta) ->
                    epoch |> Option.iter (fun t -> t.StopTask())
                    epoch <- None
                    (match outcome with Resumed _ -> () | _ -> grid.Increment 1.0)
                    eta |> Option.iter (fun t -> grid.Description <- Markup.Escape(sprintf "%s (about %s left)" (grid.Description.Split(" (about").[0]) (minutes t)))
                    line p
                | _ -> line p
            let result = work handle
            grid.Value <- grid.MaxValue
            result))

/// Progress on the console: a live display on a terminal, one plain line per epoch otherwise (CI logs).
let onConsole (work: (Progress -> unit) -> 'T) : 'T = if interactive () then live work else work consoleProgress

/// Runs the experiment with console progress and the options from the environment (see `runWith`).
let run (e: Experiment) = onConsole (fun progress -> runWith progress e)
