/// `msr bench`: load and training speed figures (rows/s, peak memory, cold and warm cache; s/epoch, ms/batch).
module Msr.Cli.BenchCommand

open System
open System.Collections.Generic
open System.Diagnostics
open System.Globalization
open System.IO
open System.Threading
open Argu
open Msr.Core
open Msr.Core.Data
open Msr.Core.Data.AliCcp
open Msr.Core.Data.MovieLens
open Msr.Core.Experiments
open Msr.Core.Models
open Msr.Core.Native
open Msr.Dsl
open TorchSharp

type LoadArgs =
    | Rows of count: int64
    | [<AltCommandLine("-d")>] Dataset of name: string
    | Path of path: string
    | Seed of seed: int
    | Keep
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Rows _ -> "ratings to generate when no --path is given (default 1000000, the size of MovieLens-1M)"
            | Dataset _ -> "dataset loader (default movielens; other loaders need --path)"
            | Path _ -> "load these files instead of generating ML-1M-shaped ones"
            | Seed _ -> "seed of the generated files (default 1)"
            | Keep -> "keep the generated files and the cache folder (printed) instead of deleting them"

type TrainBenchArgs =
    | [<AltCommandLine("-d")>] Dataset of name: string
    | [<AltCommandLine("-m")>] Model of names: string list
    | Path of path: string
    | Rows of count: int
    | Epochs of count: int
    | Batch_Size of rows: int
    | Threads of count: int
    | Seed of seed: int64
    | Data of ``key=value``: string
    | Embedding_Updates of modes: string list
    | Steps of count: int
    | Twin_Folder of path: string
    | Device of name: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Dataset _ -> "dataset loader (default synthetic)"
            | Model _ -> "models to time (default: every registered model)"
            | Path _ -> "file or folder of the dataset (without it: synthetic is generated, movielens files are generated, an aliccp twin cache entry is generated)"
            | Rows _ -> "rows to generate for synthetic, movielens or aliccp without --path (default 100000)"
            | Epochs _ -> "epochs per model (default 3: the first is warm-up, the rest are timed; early stopping may end sooner)"
            | Batch_Size _ -> "batch size (default: the dataset's protocol value)"
            | Threads _ -> "libtorch CPU threads (default: all cores)"
            | Seed _ -> "seed of split, initialisation and shuffling (default 2022)"
            | Data _ -> "dataset option, e.g. --data users=1000 (repeatable; synthetic: rows, users, items, extra_fields, ...)"
            | Device _ -> "cpu (default), cuda or auto: where every model trains and infers (docs/performance.md, Devices)"
            | Embedding_Updates _ -> "train each model with each of these trainer embedding_updates modes (dense, lazy) and add s/step (default: the trainer's default only)"
            | Steps _ -> "bench only: stop each model's training after this many steps and report speed and memory over them, without validation or test (the trainer's protocol is unchanged; the bench cancels it)"
            | Twin_Folder _ -> "aliccp without --path: keep the generated twin entry in this folder and reuse it on later runs (default: a temporary folder, deleted)"

type BenchArgs =
    | [<CliPrefix(CliPrefix.None)>] Load of ParseResults<LoadArgs>
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainBenchArgs>
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Load _ -> "time loading cold (no cache), through the cache cold (writes the entry) and warm (reads it); rows/s and memory"
            | Train _ -> "time training and inference of each model: s/epoch, samples/s, ms/batch, parameters"

let private mb (bytes: int64) = float bytes / (1024.0 * 1024.0)
let private f (digits: int) (x: float) = x.ToString("F" + string digits, CultureInfo.InvariantCulture)

let private tempFolder () =
    let p = IO.Path.Combine(IO.Path.GetTempPath(), "msr-bench-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory p |> ignore
    p

/// Linux keeps the peak resident set (VmHWM, which PeakWorkingSet64 reads) since process start; writing 5 to
/// /proc/self/clear_refs resets it to the current size, so each phase gets its own peak. False where unsupported.
let private resetPeak () =
    try
        File.WriteAllText("/proc/self/clear_refs", "5")
        true
    with _ -> false

let private sizeOf (folder: string) =
    if Directory.Exists folder then Directory.GetFiles(folder, "*", SearchOption.AllDirectories) |> Array.sumBy (fun p -> FileInfo(p).Length)
    else 0L

/// One timed load; returns the table row.
let private timedLoad (phase: string) (load: unit -> LoadedDataset) (expectCache: bool option) (peakIsPerPhase: bool ref) =
    GC.Collect()
    GC.WaitForPendingFinalizers()
    GC.Collect()
    peakIsPerPhase.Value <- resetPeak () && peakIsPerPhase.Value
    use proc = Process.GetCurrentProcess()
    let baseline = proc.WorkingSet64
    let allocated0 = GC.GetTotalAllocatedBytes(false)
    let clock = Stopwatch.StartNew()
    use data = load ()
    let seconds = clock.Elapsed.TotalSeconds
    let heap = GC.GetTotalMemory(false)
    let allocated = GC.GetTotalAllocatedBytes(false) - allocated0
    proc.Refresh()
    let peak = proc.PeakWorkingSet64
    match expectCache with
    | Some expected when data.FromCache <> expected ->
        failwithf "%s: expected %s the cache" phase (if expected then "a load from" else "a load bypassing")
    | _ -> ()
    [ phase; string data.Data.Count; f 2 seconds; f 0 (float data.Data.Count / max seconds 1e-9)
      f 0 (mb peak); f 0 (mb (peak - baseline)); f 0 (mb heap); f 0 (mb allocated) ]

let private load (out: TextWriter) (args: ParseResults<LoadArgs>) =
    let dataset = args.GetResult(LoadArgs.Dataset, defaultValue = "movielens")
    let loader = DatasetRegistry.Get dataset
    let work = tempFolder ()
    let keep = args.Contains Keep
    try
        let path =
            match args.TryGetResult LoadArgs.Path with
            | Some p -> p
            | None when loader.Name = "movielens" ->
                let rows = args.GetResult(LoadArgs.Rows, defaultValue = 1_000_000L)
                if rows < 1L then invalidArg "rows" (sprintf "--rows must be >= 1, got %d" rows)
                let folder = IO.Path.Combine(work, "ml-1m")
                let clock = Stopwatch.StartNew()
                MovieLensFileWriter.Write(folder, rows, args.GetResult(LoadArgs.Seed, defaultValue = 1))
                fprintfn out "generated %d ML-1M-shaped ratings (%s MB of .dat files) in %s s: %s"
                    rows (f 1 (mb (sizeOf folder))) (f 2 clock.Elapsed.TotalSeconds) folder
                folder
            | None -> invalidArg "path" (sprintf "bench load needs --path for dataset '%s' (only movielens files are generated)" loader.Name)
        let cache = IO.Path.Combine(work, "cache")
        let options = readOnlyDict []
        let perPhase = ref true
        let rows =
            [ timedLoad "parse + encode (no cache)" (fun () -> LoadedDataset.Load(loader.Name, path, options, null)) (Some false) perPhase
              timedLoad "cache cold (parse, encode, write)" (fun () -> LoadedDataset.Load(loader.Name, path, options, cache)) (Some false) perPhase
              timedLoad "cache warm (read entry)" (fun () -> LoadedDataset.Load(loader.Name, path, options, cache)) (Some true) perPhase ]
        let cacheFiles = Directory.GetFiles(cache, "*.msrcache")
        let entry = cacheFiles |> Array.sumBy (fun p -> FileInfo(p).Length)
        fprintfn out "\n%s on %s (%d cores, %s)\n" loader.Name path Environment.ProcessorCount
            (Runtime.InteropServices.RuntimeInformation.FrameworkDescription)
        fprintfn out "%s" (Tables.markdown [ "phase"; "rows"; "seconds"; "rows/s"; "peak WS MB"; "peak - start MB"; "managed heap MB"; "allocated MB" ] rows)
        fprintfn out "\ncache entry: %s MB (%d file)" (f 1 (mb entry)) cacheFiles.Length
        fprintfn out "peak WS: the process's peak working set %s; \"peak - start\" is that peak minus the working set when the phase began."
            (if perPhase.Value then "during the phase (reset before each through /proc/self/clear_refs)" else "since process start (could not be reset per phase)")
        fprintfn out "managed heap: GC heap right after the load, the dataset alive (its tensors live in native memory, counted in WS only); allocated: managed bytes allocated during the phase."
        if keep then fprintfn out "kept: %s" work
        0
    finally
        if not keep then
            try Directory.Delete(work, true) with :? IOException -> ()

/// Memory figures of this process from /proc/self/status, in MB (VmHWM: peak resident set; RssAnon: anonymous
/// memory; RssFile: pages of mapped files, which the OS can drop and re-read); empty where /proc is absent.
let private memory () =
    try
        File.ReadAllLines "/proc/self/status"
        |> Array.choose (fun line ->
            match line.Split(':', 2) with
            | [| key; value |] when List.contains key [ "VmHWM"; "VmRSS"; "RssAnon"; "RssFile" ] ->
                Some(key, float (Int64.Parse(value.Trim().Split(' ').[0], CultureInfo.InvariantCulture)) / 1024.0)
            | _ -> None)
        |> Map.ofArray
    with _ -> Map.empty

let private memoryText (m: Map<string, float>) =
    [ "VmHWM"; "VmRSS"; "RssAnon"; "RssFile" ]
    |> List.choose (fun k -> m |> Map.tryFind k |> Option.map (fun v -> sprintf "%s %s MB" k (f 0 v)))
    |> String.concat ", "

/// Runs `f` while sampling RssAnon every 50 ms: its result and the largest anonymous memory seen (MB). VmHWM counts
/// mapped file pages too, which the OS can drop; the anonymous peak is what the process needs to own.
let private withAnonPeak (f: unit -> 'a) =
    let peak = ref 0.0
    let sample () =
        lock peak (fun () -> memory () |> Map.tryFind "RssAnon" |> Option.iter (fun v -> if v > peak.Value then peak.Value <- v))
    let result =
        use timer = new Timer((fun _ -> sample ()), null, 0, 50)
        f ()
    sample ()
    result, lock peak (fun () -> peak.Value)

/// The Ali-CCP twin entry at `file`: reused when it is there and reads back, else written (on all cores) then read.
/// Returns the dataset (mapped when large), the seconds its generation took (None when reused), the seconds to open it,
/// the peak resident set while opening (None where it cannot be reset) and the sampled anonymous peak while opening.
let private aliCcpTwin (file: string) (rows: int64) =
    let opened () =
        let perPhase = resetPeak ()
        let clock = Stopwatch.StartNew()
        let data, anon = withAnonPeak (fun () -> DatasetCache.TryRead file)
        let peak = if perPhase then memory () |> Map.tryFind "VmHWM" else None
        data, clock.Elapsed.TotalSeconds, peak, anon
    match (if File.Exists file then opened () else null, 0.0, None, 0.0) with
    | null, _, _, _ ->
        let generation = Stopwatch.StartNew()
        AliCcpTwin.Write(file, rows, 1L, Environment.ProcessorCount)
        let generated = generation.Elapsed.TotalSeconds
        match opened () with
        | null, _, _, _ -> failwithf "the Ali-CCP twin just written to %s does not read back" file
        | data, seconds, peak, anon -> data, Some generated, seconds, peak, anon
    | data, seconds, peak, anon -> data, None, seconds, peak, anon

/// The run's split: the dataset's predefined one, or a seeded random split (which the caller must dispose: the second value).
let private splitFor (data: LoadedDataset) (seed: int64) =
    if isNull data.Data.PredefinedSplit then
        let split = DatasetSplit.Random(data.Data.Count, seed)
        split, (split :> IDisposable)
    else data.Data.PredefinedSplit, { new IDisposable with member _.Dispose() = () }

/// A freshly initialised `model` for the dataset's preset, seeded as a run seeds it.
let private freshModel (data: LoadedDataset) (model: string) (seed: int64) =
    TorchSharp.torch.manual_seed seed |> ignore
    ModelRegistry.Create(model, ModelContext(data.Data.Schema, data.Loader.Defaults.ModelPreset), Settings())

/// Trains `model` for `steps` steps (the bench cancels the trainer after the step; nothing is evaluated) and returns its
/// table row: seconds of the first step (it includes the epoch's permutation), seconds per step and samples/s over the
/// later steps, and memory (peak during the steps, when it can be reset, and anonymous/file-backed at the end).
let private stepRow (data: LoadedDataset) (model: string) (trainer: (string * string) list) (seed: int64) (steps: int) =
    let options = Msr.Core.Training.TrainerOptions.From(Settings(trainer |> List.map KeyValuePair), data.Loader.Defaults)
    let rows, ownedSplit = splitFor data seed
    use _split = ownedSplit
    use m = freshModel data model seed
    let marks = ResizeArray<float * int64>()
    use stop = new CancellationTokenSource()
    let report (p: Msr.Core.Training.BatchProgress) =
        marks.Add((p.Seconds, p.Rows))
        if marks.Count >= steps then stop.Cancel()
    let perPhase = resetPeak ()
    let (), anonPeak =
        withAnonPeak (fun () ->
            try Msr.Core.Training.Trainer.Fit(m, data.Data, rows, options, seed, null, stop.Token, Action<_> report) |> ignore
            with :? OperationCanceledException -> ())
    let mem = memory ()
    let at k = mem |> Map.tryFind k |> Option.map (f 0) |> Option.defaultValue "-"
    let first, firstRows = marks.[0]
    let last, lastRows = marks.[marks.Count - 1]
    let later = marks.Count - 1
    let stepSeconds = if later > 0 then (last - first) / float later else first
    let samples = if later > 0 then float (lastRows - firstRows) / (last - first) else float firstRows / first
    [ model; string m.ParameterCount; string marks.Count; string options.BatchSize; f 2 first; f 2 stepSeconds; f 0 samples
      (if perPhase then at "VmHWM" else "-"); f 0 anonPeak; at "RssAnon"; at "RssFile" ]

/// Median and range of a non-empty list.
let private median (xs: float list) =
    let sorted = List.sort xs |> List.toArray
    let n = sorted.Length
    if n % 2 = 1 then sorted.[n / 2] else (sorted.[n / 2 - 1] + sorted.[n / 2]) / 2.0

let private spread (xs: float list) digits = sprintf "%s-%s" (f digits (List.min xs)) (f digits (List.max xs))

/// Training seconds of the epochs after warm-up: every epoch but the first (one-time costs: the allocator growing,
/// libtorch's first kernel choices), or the only one when a single epoch ran (then flagged).
let private measuredEpochs (record: Msr.Core.Results.RunRecord) =
    let all = record.Training.History |> Seq.map (fun e -> e.TrainSeconds) |> List.ofSeq
    if all.Length >= 2 then List.tail all, true else all, false

/// Inference milliseconds per batch over the test split: `passes` timed passes after one untimed warm-up pass, on a
/// freshly initialised model of the run's configuration (the cost of a forward does not depend on the weights' values).
/// On a GPU the dataset and split move to the device once per call, as a run moves them; Predict's one host copy per
/// pass is its synchronisation, so each pass's wall time includes the device's work.
let private inferenceMs (data: LoadedDataset) (model: string) (seed: int64) (batch: int) (device: string) (passes: int) =
    let target = Msr.Core.Training.ComputeDevice.Resolve device
    let split, ownedSplit = splitFor data seed
    use _split = ownedSplit
    use placed = data.Data.OnDevice(target)
    let onDevice = placed.Data
    let cpuRows = split.Test
    use movedRows = if target.``type`` = TorchSharp.DeviceType.CPU then null else cpuRows.``to``(target)
    let rows = if isNull movedRows then cpuRows else movedRows
    use m = freshModel data model seed
    m.``to``(target) |> ignore
    let batches = float (max 1 (BatchPlan.Count(rows.shape.[0], batch)))
    Msr.Core.Training.Trainer.Predict(m, onDevice, rows, batch) |> ignore
    [ for _ in 1 .. passes ->
        let clock = Stopwatch.StartNew()
        Msr.Core.Training.Trainer.Predict(m, onDevice, rows, batch) |> ignore
        clock.Elapsed.TotalMilliseconds / batches ]

/// A `key=value` dataset option of the command line.
let private dataOption (text: string) =
    match text.Split('=', 2) with
    | [| key; value |] when key.Trim() <> "" -> key.Trim(), value.Trim()
    | _ -> invalidArg "data" (sprintf "--data takes key=value (e.g. users=1000), got '%s'" text)

let private train (out: TextWriter) (args: ParseResults<TrainBenchArgs>) =
    let dataset = args.GetResult(TrainBenchArgs.Dataset, defaultValue = "synthetic")
    let loader = DatasetRegistry.Get dataset
    let rows = args.GetResult(TrainBenchArgs.Rows, defaultValue = 100_000)
    if rows < 1 then invalidArg "rows" (sprintf "--rows must be >= 1, got %d" rows)
    let models =
        match args.TryGetResult Model with
        | Some names -> names |> List.map (fun n -> (ModelRegistry.Get n).Name)
        | None -> [ for m in ModelRegistry.All -> m.Name ]
    args.TryGetResult Threads |> Option.iter TorchRuntime.SetThreadsOnce
    let work = tempFolder ()
    try
        let twinFile =
            match args.TryGetResult TrainBenchArgs.Path with
            | None when loader.Name = "aliccp" ->
                Some(AliCcpTwin.PathFor(args.GetResult(Twin_Folder, defaultValue = work), int64 rows, 1L))
            | _ -> None
        let path, generated =
            match args.TryGetResult TrainBenchArgs.Path, twinFile with
            | Some p, _ -> p, []
            | None, Some file -> file, []
            | None, None when loader.Name = "synthetic" -> null, [ "rows", string rows ]
            | None, None when loader.Name = "movielens" ->
                MovieLensFileWriter.Write(work, int64 rows, 1)
                work, []
            | None, None -> invalidArg "path" (sprintf "bench train needs --path for dataset '%s' (synthetic, movielens and aliccp are generated)" loader.Name)
        let dataOptions = generated @ (args.GetResults Data |> List.map dataOption)
        // A key given twice (also --rows with --data rows=...) would silently keep the last value.
        match Msr.Core.Settings.RepeatedKey(dataOptions |> List.map KeyValuePair) with
        | null -> ()
        | repeated -> invalidArg "data" (sprintf "dataset option %s, and --rows sets rows; give it once" repeated)
        let modes = args.TryGetResult Embedding_Updates
        let baseTrainer =
            [ "epochs", string (args.GetResult(Epochs, defaultValue = 3))
              yield! args.TryGetResult Batch_Size |> Option.map (fun b -> "batch_size", string b) |> Option.toList
              yield! args.TryGetResult Device |> Option.map (fun d -> "device", d) |> Option.toList ]
        let trainers =
            match modes with
            | None -> [ None, baseTrainer ]
            | Some given ->
                [ for mode in given ->
                      let trainer = baseTrainer @ [ "embedding_updates", mode ]
                      match Msr.Core.Training.TrainerOptions.Problems(trainer |> List.map KeyValuePair) |> Seq.toList with
                      | [] -> Some mode, trainer
                      | problems -> invalidArg "embedding-updates" (String.concat "; " problems) ]
        let seed = args.GetResult(TrainBenchArgs.Seed, defaultValue = 2022L)
        use data =
            match twinFile with
            | Some file ->
                if not (List.isEmpty dataOptions) then invalidArg "data" "the aliccp twin takes no --data options"
                let twin, generation, openSeconds, openPeak, openAnon = aliCcpTwin file (int64 rows)
                match generation with
                | Some s -> fprintfn out "generated the Ali-CCP twin (%d rows, %s MB) in %s s: %s" rows (f 0 (mb (FileInfo(file).Length))) (f 1 s) file
                | None -> fprintfn out "reused the Ali-CCP twin %s (%s MB)" file (f 0 (mb (FileInfo(file).Length)))
                fprintfn out "opened it in %s s (%s); while opening: peak RSS %s MB, peak RssAnon %s MB (sampled); after: %s"
                    (f 2 openSeconds) (if twin.Sparse.storage_offset() > 0L then "mapped from the file" else "copied into memory")
                    (openPeak |> Option.map (f 0) |> Option.defaultValue "-") (f 0 openAnon) (memoryText (memory ()))
                LoadedDataset.Of(loader.Name, twin, file, true, openSeconds)
            | None -> LoadedDataset.Load(loader.Name, path, readOnlyDict dataOptions, null)
        fprintfn out "%s: %d rows, %d scenarios; %d threads, %d cores; %s; %s; loaded in %s s\n" loader.Name data.Data.Count
            data.Data.Schema.ScenarioCount TorchRuntime.Threads Environment.ProcessorCount TorchRuntime.OpenMpWaitingChoice
            TorchRuntime.MallocChoice (f 2 data.LoadSeconds)
        // Models that read behaviour histories run only on data loaded with them (every other model ignores histories).
        let models, skipped =
            if data.Data.Schema.SequenceFeatures.Count > 0 then models, []
            else models |> List.partition (fun m -> not (ModelRegistry.Get m).RequiresHistories)
        for m in skipped do
            fprintfn out "%s skipped: it reads behaviour histories, and this data was loaded without them; time it with --data history=20 --data history_attributes=<item attribute columns> (the MovieLens twin: cate_id; the other models ignore histories)\n" m
        if List.isEmpty models then invalidArg "model" "no model left to time: give the data histories (--data history=20 --data history_attributes=...)"
        match args.TryGetResult Steps with
        | Some steps ->
            if steps < 1 then invalidArg "steps" (sprintf "--steps must be >= 1, got %d" steps)
            if modes.IsSome then invalidArg "steps" "--steps times the trainer's default embedding updates only; leave out --embedding-updates"
            let table = [ for model in models -> stepRow data model baseTrainer seed steps ]
            let columns = [ "model"; "parameters"; "steps"; "batch"; "first step s"; "s/step (later steps)"; "samples/s (later steps)"
                            "peak RSS MB (steps)"; "peak RssAnon MB (steps, sampled)"; "RssAnon MB (end)"; "RssFile MB (end)" ]
            fprintfn out "%s" (Tables.markdown columns table)
            fprintfn out "\nfirst step: includes the epoch's shuffle of the training rows; later steps: the steady rate. RssFile: pages of mapped files (the entry, and libtorch's ~100 MB of code), which the OS drops and re-reads as needed; RssAnon: memory the process owns; peak RSS counts both."
            0
        | None ->
            // With --embedding-updates each row names its mode and adds seconds per training step (batch / samples per second).
            let withMode (mode: string option) (stepSeconds: string) (row: string list) =
                match mode with
                | None -> row
                | Some m -> (List.head row :: m :: List.take 3 (List.tail row)) @ stepSeconds :: List.skip 4 row
            let results =
                [ for model in models do
                    for mode, trainer in trainers ->
                      let spec = RunSpec(loader.Name, path, readOnlyDict dataOptions, model, readOnlyDict [], readOnlyDict trainer, seed)
                      let perPhase = resetPeak ()
                      let record, anonPeak = withAnonPeak (fun () -> ExperimentRunner.Run(spec, data))
                      let peak = if perPhase then memory () |> Map.tryFind "VmHWM" else None
                      model, mode, record, anonPeak, peak ]
            let warmed = results |> List.forall (fun (_, _, r, _, _) -> not r.IsCompleted || snd (measuredEpochs r))
            // Inference passes of every completed model, before the table, so each row can be set against SharedBottom's.
            let inference =
                results |> List.map (fun (model, _, r, _, _) ->
                    if r.IsCompleted then inferenceMs data model seed r.Config.Trainer.BatchSize r.Config.Trainer.Device 3 else [])
            let sharedBottom =
                List.zip results inference |> List.tryPick (fun ((m, mode, r, _, _), infer) ->
                    if m = "SharedBottom" && mode = fst (List.head trainers) && r.IsCompleted
                    then Some(median (fst (measuredEpochs r)), median infer) else None)
            let table =
                [ for (model, mode, record, anonPeak, peak), infer in List.zip results inference ->
                    if record.IsCompleted then
                        let epochs = fst (measuredEpochs record)
                        let seconds = median epochs
                        let trainRows = float (Seq.head record.Training.History).TrainRows
                        let batch = record.Config.Trainer.BatchSize
                        // The paper's figures belong to its datasets: keyed by the loader (synthetic data and
                        // MovieLens-100K share MovieLens's preset but have no Table 4 row).
                        let paper = Msr.Core.Reports.PaperTable4.Get(model, loader.Name) |> Option.ofObj
                        [ model; string record.Parameters; string record.Training.EpochsRun; f 2 seconds; spread epochs 2
                          f 0 (trainRows / seconds)
                          (match sharedBottom with Some(sb, _) -> f 1 (seconds / sb) | None -> "-")
                          f 2 (median infer); spread infer 2
                          (match sharedBottom with Some(_, sb) -> f 1 (median infer / sb) | None -> "-")
                          string batch
                          (peak |> Option.map (f 0) |> Option.defaultValue "-"); f 0 anonPeak
                          (match paper with Some p -> f 2 p.TrainSecondsPerEpoch | None -> "-")
                          (match paper with Some p -> f 2 (seconds / p.TrainSecondsPerEpoch) | None -> "-")
                          (match paper with Some p -> f 2 p.InferMillisecondsPerBatch | None -> "-")
                          (let a = record.Test.Overall.Auc in if a.HasValue then f 4 a.Value else "-") ]
                        |> withMode mode (f 3 (seconds * float batch / trainRows))
                    else [ model; string record.Parameters; "failed"; "-"; "-"; "-"; "-"; "-"; "-"; "-"; "-"; "-"; "-"; "-"; "-"; "-"; record.Error ] |> withMode mode "-" ]
            let columns = [ "model"; "parameters"; "epochs"; "train s/epoch (median)"; "s/epoch range"; "samples/s"; "× SharedBottom"
                            "infer ms/batch (median)"; "infer range"; "infer × SharedBottom"; "batch"; "peak RSS MB"; "peak RssAnon MB"
                            "paper V100 s/epoch"; "Msr ÷ V100"; "paper V100 infer ms"; "test AUC" ]
            fprintfn out "%s" (Tables.markdown (withMode (modes |> Option.map (fun _ -> "embedding updates")) "train s/step" columns) table)
            fprintfn out "\ntrain s/epoch: median over the epochs after the first (warm-up)%s; samples/s from it. infer: median of 3 timed passes over the test split after a warm-up pass (gather, forward, one host copy; no metrics). peak RSS: the process's peak resident set during the run (reset per model where the kernel allows); peak RssAnon: the largest memory the process owned, sampled every 50 ms. paper V100: Table 4 of the benchmark paper for this dataset (- where the paper has no figure); Msr ÷ V100 compares like with like only at the paper's data size (MovieLens-1M: --rows 1000000)."
                (if warmed then "" else "; WARNING: a model ran a single epoch, so its figure includes warm-up (use --epochs 3)")
            // A failed model has no figures: the table says why, and the exit code tells a script the bench is incomplete.
            if results |> List.forall (fun (_, _, r, _, _) -> r.IsCompleted) then 0 else 1
    finally
        try Directory.Delete(work, true) with :? IOException -> ()

let run (out: TextWriter) (args: ParseResults<BenchArgs>) =
    match args.GetSubCommand() with
    | Load l -> load out l
    | Train t -> train out t
