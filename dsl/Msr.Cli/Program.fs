/// The `msr` command line.
module Msr.Cli.Program

open System
open System.IO
open Argu
open Msr.Core.Data
open Msr.Core.Experiments
open Msr.Core.Models
open Msr.Core.Native
open Msr.Core.Results
open Msr.Dsl

type TrainArgs =
    | [<Mandatory; AltCommandLine("-d")>] Dataset of name: string
    | [<Mandatory; AltCommandLine("-m")>] Model of name: string
    | Path of path: string
    | Seed of seed: int64
    | Epochs of count: int
    | Batch_Size of rows: int
    | Device of name: string
    | Patience of epochs: int
    | [<AltCommandLine("-s")>] Set of ``key=value``: string
    | Data of ``key=value``: string
    | Trainer of ``key=value``: string
    | Threads of count: int
    | Results of folder: string
    | Cache of folder: string
    | No_Cache
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Dataset _ -> "dataset name (see `msr datasets list`)"
            | Model _ -> "model name (see `msr models`)"
            | Path _ -> "file or folder of the dataset (not needed for synthetic)"
            | Seed _ -> "seed of split, initialisation and shuffling (default 2022)"
            | Epochs _ -> "epoch budget (default 100, with early stopping)"
            | Batch_Size _ -> "batch size (default: the dataset's protocol value)"
            | Device _ -> "cpu (default), cuda or auto (CUDA when usable); see docs/performance.md for GPU set-up"
            | Patience _ -> "early-stopping patience in epochs (default: the dataset's protocol value)"
            | Set _ -> "model hyper-parameter, e.g. --set tower_dims=[16,8] (repeatable)"
            | Data _ -> "dataset option, e.g. --data rows=20000 (repeatable)"
            | Trainer _ -> "trainer option, e.g. --trainer step_lr=true (repeatable)"
            | Threads _ -> "libtorch CPU threads (default: all cores)"
            | Results _ -> "folder for the run record (default results/train)"
            | Cache _ -> "folder of the processed-dataset cache (default $MSR_CACHE or ~/.cache/msr/datasets)"
            | No_Cache -> "always parse and encode the raw files"

type StatsFormat =
    | Md
    | Csv

type StatsArgs =
    | [<MainCommand; ExactlyOnce>] Target of ``dataset [path]``: string list
    | [<CustomCommandLine("--data")>] Loader_Option of ``key=value``: string
    | Format of StatsFormat
    | User_Feature of column: string
    | Item_Feature of column: string
    | Paper
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Paper -> "compare with the benchmark paper's Tables 2 and 7 (exit 1 when a count differs)"
            | Target _ -> "dataset name (see `msr datasets list`), then its file or folder (none for synthetic)"
            | Loader_Option _ -> "dataset option, e.g. --data top_k=3 (repeatable)"
            | Format _ -> "md (Markdown, default) or csv"
            | User_Feature _ -> "sparse column holding the user (default: guessed from the schema)"
            | Item_Feature _ -> "sparse column holding the item (default: guessed from the schema)"

type ExportArgs =
    | [<MainCommand; ExactlyOnce>] Source of ``dataset [path]``: string list
    | [<CustomCommandLine("--data")>] Source_Option of ``key=value``: string
    | [<Mandatory; AltCommandLine("-o")>] Output of file: string
    | Rows of count: int64
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Source _ -> "dataset name, then its file or folder (none for synthetic)"
            | Source_Option _ -> "dataset option, e.g. --data rows=2000 (repeatable)"
            | Output _ -> "CSV file to write"
            | Rows _ -> "write only the first N rows"

type DatasetsArgs =
    | [<SubCommand; CliPrefix(CliPrefix.None)>] List
    | [<CliPrefix(CliPrefix.None)>] Stats of ParseResults<StatsArgs>
    | [<CliPrefix(CliPrefix.None)>] Export of ParseResults<ExportArgs>
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | List -> "list dataset loaders and the files each expects"
            | Stats _ -> "per-scenario interactions, users, items, positive rate; scenario-size CV; overlaps (paper Tables 2 and 7)"
            | Export _ -> "write the encoded dataset as CSV (readable again with the csv loader)"

type ModelsArgs =
    | [<MainCommand; Unique>] Model_Name of model: string
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Model_Name _ -> "a model: print its options with their meaning and defaults per preset"

type MsrArgs =
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Models of ParseResults<ModelsArgs>
    | [<CliPrefix(CliPrefix.None)>] Datasets of ParseResults<DatasetsArgs>
    | [<CliPrefix(CliPrefix.None)>] Report of ParseResults<ReportCommand.ReportArgs>
    | [<CliPrefix(CliPrefix.None)>] Bench of ParseResults<BenchCommand.BenchArgs>
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckCommand.CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunCommand.RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Slurm of ParseResults<SlurmCommand.SlurmArgs>
    | [<CliPrefix(CliPrefix.None)>] Predict of ParseResults<PredictCommand.PredictArgs>
    | Version
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Train _ -> "train and test one model on one dataset, print per-scenario metrics"
            | Models _ -> "list the models with their papers; `msr models <name>` prints a model's options and defaults"
            | Datasets _ -> "list dataset loaders"
            | Report _ -> "significance-marked comparison tables from a results folder (md, latex, csv, json, html)"
            | Bench _ -> "speed benchmarks: dataset loading (rows/s, memory, cache cold/warm) and training (s/epoch, ms/batch)"
            | Check _ -> "CI regression gate: exit 1 when current results are not shown non-inferior to a baseline's (docs/ci.md)"
            | Run _ -> "run a grid (plan.json or .fsx): resumable; --dry-run, --shard i/n, --claim (workers sharing a results folder)"
            | Slurm _ -> "write a Slurm job-array script whose tasks run the grid with --claim"
            | Predict _ -> "predictions of a finished run's saved model on its test/validation/train rows, as CSV"
            | Version -> "print versions"

/// A usage error: printed with the command's usage, exit code 2.
exception UsageError of string

let private keyValue (flag: string) (text: string) =
    match text.IndexOf '=' with
    | i when i > 0 && i < text.Length - 1 -> text.Substring(0, i).Trim(), text.Substring(i + 1).Trim()
    | _ -> raise (UsageError(sprintf "--%s expects key=value, got '%s'" flag text))

/// Options of one kind as a dictionary. A key given twice (also when spelt differently, as top-k and top_k) is an
/// error: the dictionary would keep only the last value without a word.
let private optionsOf (kind: string) (pairs: (string * string) list) =
    match Msr.Core.Settings.RepeatedKey(pairs |> List.map Collections.Generic.KeyValuePair) with
    | null -> readOnlyDict pairs
    | repeated -> raise (UsageError(sprintf "%s option %s; give it once" kind repeated))

let private train (out: TextWriter) (args: ParseResults<TrainArgs>) =
    let pairs flag (items: string list) = items |> List.map (keyValue flag)
    let trainer =
        [ yield! args.TryGetResult Epochs |> Option.map (fun n -> "epochs", string n) |> Option.toList
          yield! args.TryGetResult Batch_Size |> Option.map (fun n -> "batch_size", string n) |> Option.toList
          yield! args.TryGetResult TrainArgs.Device |> Option.map (fun d -> "device", d) |> Option.toList
          yield! args.TryGetResult Patience |> Option.map (fun n -> "patience", string n) |> Option.toList
          yield! pairs "trainer" (args.GetResults Trainer) ]
    let spec =
        RunSpec(args.GetResult Dataset, Option.toObj (args.TryGetResult Path), optionsOf "dataset" (pairs "data" (args.GetResults Data)),
                args.GetResult Model, optionsOf "model" (pairs "set" (args.GetResults Set)), optionsOf "training" trainer,
                args.GetResult(Seed, defaultValue = 2022L))
    TorchRuntime.SetThreadsOnce(args.GetResult(Threads, defaultValue = Environment.ProcessorCount))
    // A device this machine cannot run is bad input for one run (exit 2, nothing loaded, no record), not a failed run.
    trainer |> List.tryFindBack (fun (k, _) -> Msr.Core.Settings.NormalizeKey k = "device")
    |> Option.iter (snd >> Msr.Core.Training.ComputeDevice.Resolve >> ignore)
    let cache = if args.Contains No_Cache then null else args.GetResult(Cache, defaultValue = LoadedDataset.DefaultCacheDirectory)
    use data = LoadedDataset.Load(spec.Dataset, spec.DatasetPath, spec.DatasetOptions, cache)
    let run = ExperimentRunner.Prepare(spec, data)
    let counts = data.Data.ScenarioCounts()
    fprintfn out "%s on %s: %d rows, %d scenarios (%s), seed %d; loaded in %.2f s%s"
        (ModelRegistry.Get spec.Model).Name data.Loader.Name data.Data.Count data.Data.Schema.ScenarioCount
        (String.Join(", ", Seq.zip data.Data.Schema.ScenarioNames counts |> Seq.map (fun (n, c) -> sprintf "%s %d" n c))) spec.Seed
        data.LoadSeconds (if data.FromCache then " (from cache)" else "")
    let store = ResultStore(args.GetResult(Results, defaultValue = Path.Combine("results", "train")))
    let record = ExperimentRunner.Run(run, data, (fun e -> Execution.printProgress out (Execution.EpochDone(1, 1, spec, e))),
                                      weightsPath = store.WeightsPathOf spec.RunId, checkpointPath = store.CheckpointPathOf spec.RunId)
    store.Write record
    if record.IsCompleted then
        let t, eff = record.Training, record.Efficiency
        fprintfn out "\n%s\n" (Tables.evaluation record.Test)
        fprintfn out "epochs run: %d (best %d, %s%s%s)" t.EpochsRun t.BestEpoch (t.StopReason.Replace('_', ' '))
            (if t.RestoredBest then ", best weights restored" else "")
            (if t.ResumedAfterEpoch.HasValue then sprintf ", resumed after epoch %d from its checkpoint" t.ResumedAfterEpoch.Value else "")
        fprintfn out "train: %.2f s/epoch, %.0f samples/s; inference: %.2f ms per batch of %d; parameters: %d"
            eff.TrainSecondsPerEpoch eff.TrainSamplesPerSecond eff.InferMillisecondsPerBatch eff.InferBatchSize record.Parameters
        fprintfn out "record: %s" (store.PathOf record.RunId)
        0
    else
        fprintfn out "run failed: %s\nrecord: %s" record.Error (store.PathOf record.RunId)
        1

/// A Markdown table cell: a '|' in free text would split the cell.
let private cell (text: string) = text.Replace("|", "\\|")

/// One model's options: name, kind (with the choices of a choice), meaning, and the default per preset, as one
/// "default" column when every option's defaults agree across the presets, else one column per preset.
let private modelOptions (out: TextWriter) (m: ModelEntry) =
    let presets = List.ofSeq Presets.All
    let defaults (o: ModelOption) = presets |> List.map o.DefaultText
    let agree = m.Options |> Seq.forall (fun o -> defaults o |> List.distinct |> List.length = 1)
    let kind (o: ModelOption) =
        let name = o.Kind.ToString().ToLowerInvariant()
        match o.Choices with
        | null -> name
        | choices -> sprintf "%s: %s" name (String.Join(", ", choices))
    let header = [ "option"; "kind"; "meaning" ] @ (if agree then [ "default" ] else presets)
    let rows =
        [ for o in m.Options -> [ o.Name; kind o; cell o.Description ] @ (if agree then [ List.head (defaults o) ] else defaults o) ]
    fprintfn out "%s: %s\npaper: %s\n" m.Name m.Description m.Paper
    fprintfn out "%s" (Tables.markdown header rows)
    fprintfn out "\nSet one with --set name=value; preset (%s) picks the column of defaults (default: the dataset's own)."
        (String.Join(", ", presets))

/// `msr models`: every model, what it is and its paper; `msr models <name>`: that model's options (an unknown
/// name is an error listing the models, exit 2).
let private models (out: TextWriter) (args: ParseResults<ModelsArgs>) =
    match args.TryGetResult Model_Name with
    | Some name -> modelOptions out (ModelRegistry.Get name)
    | None ->
        let rows = [ for m in ModelRegistry.All -> [ m.Name; cell m.Description; cell m.Paper ] ]
        fprintfn out "%s" (Tables.markdown [ "model"; "description"; "paper" ] rows)
        fprintfn out "\nmsr models <name> lists a model's options and their defaults per preset."
    0

let private datasetList (out: TextWriter) =
    let rows =
        [ for l in DatasetRegistry.All ->
              [ l.Name; l.Description; (if l.ExpectedFiles.Count = 0 then "(none)" else String.Join(", ", l.ExpectedFiles)) ] ]
    fprintfn out "%s" (Tables.markdown [ "dataset"; "description"; "files" ] rows)
    // Each loader's declared options, one line each, as `--data name=value` (train, datasets stats/export) takes them.
    for l in DatasetRegistry.All do
        if l.Options.Count > 0 then
            fprintfn out "\n%s options (--data name=value):" l.Name
            for o in l.Options do fprintfn out "  %s" (o.ToString())
    0

/// Reads `<dataset> [path]` plus `--data key=value` options.
let private loadNamed verb (target: string list) (options: string list) =
    let options = options |> List.map (keyValue "data") |> optionsOf "dataset"
    let name, path =
        match target with
        | [ name ] -> name, null
        | [ name; path ] -> name, path
        | other -> raise (UsageError(sprintf "datasets %s expects <dataset> [path], got %d arguments" verb other.Length))
    DatasetRegistry.Load(name, path, Msr.Core.Settings(options))

let private datasetExport (out: TextWriter) (args: ParseResults<ExportArgs>) =
    use data = loadNamed "export" (args.GetResult Source) (args.GetResults Source_Option)
    let file = args.GetResult Output
    let rows = DatasetExport.WriteCsv(data, file, Option.toNullable (args.TryGetResult Rows))
    let readBack = DatasetExport.ReadBackOptions data.Schema |> Seq.map (fun kv -> sprintf "--data %s=%s" kv.Key kv.Value) |> String.concat " "
    fprintfn out "wrote %d rows of %s to %s\nread it back with: msr train -d csv --path %s %s -m <model>" rows data.Name file file readBack
    0

let private datasetStats (out: TextWriter) (args: ParseResults<StatsArgs>) =
    let target = args.GetResult Target
    let paper =
        if not (args.Contains Paper) then None
        else
            match PaperTable2.For(List.head target) with
            | null ->
                raise (UsageError(sprintf "the paper has no counts for '%s'; --paper works with %s" (List.head target)
                                      (String.Join(", ", PaperTable2.Loaders |> Seq.sort))))
            | counts -> Some counts
    use data = loadNamed "stats" target (args.GetResults Loader_Option)
    let user, item = Option.toObj (args.TryGetResult User_Feature), Option.toObj (args.TryGetResult Item_Feature)
    match paper with
    | None ->
        let format = match args.GetResult(Format, defaultValue = Md) with Md -> StatisticsFormat.Markdown | Csv -> StatisticsFormat.Csv
        fprintfn out "%s" (DatasetStatistics.Render(data, format, user, item))
        0
    | Some counts ->
        let comparison = PaperTable2.Compare(DatasetStatistics.Compute(data, user, item), counts)
        fprintfn out "%s" (comparison.ToMarkdown())
        if comparison.AllMatch then 0 else 1

/// Runs the command line; returns the process exit code (0 ok, 1 run failed, 2 bad input).
let execute (argv: string[]) (out: TextWriter) (err: TextWriter) =
    let parser = ArgumentParser.Create<MsrArgs>(programName = "msr")
    try
        let args = parser.ParseCommandLine(argv, raiseOnUsage = true)
        if args.Contains Version then
            let env = ExperimentRunner.Environment()
            fprintfn out "msr %s, TorchSharp %s, %s" env.Msr env.TorchSharp env.DotNet
            0
        else
            match args.GetSubCommand() with
            | Train t -> train out t
            | Models m -> models out m
            | Datasets d ->
                match d.GetSubCommand() with
                | List -> datasetList out
                | Stats s -> datasetStats out s
                | Export x -> datasetExport out x
            | Report r -> ReportCommand.run out r
            | Bench b -> BenchCommand.run out b
            | Check c -> CheckCommand.run out c
            | Run r -> RunCommand.run out r
            | Slurm s -> SlurmCommand.run out s
            | Predict p -> PredictCommand.run out p
            | Version -> 0
    with
    | :? ArguParseException as e when e.ErrorCode = ErrorCode.HelpText ->
        fprintfn out "%s" e.Message
        0
    | :? ArguParseException as e ->
        fprintfn err "%s" e.Message
        2
    | UsageError message ->
        fprintfn err "error: %s" message
        2
    | ExperimentError _ as e ->
        // A plan or experiment that cannot run (malformed JSON, unknown field, model or option): bad input, every problem listed.
        fprintfn err "error: %s" e.Message
        2
    | :? ArgumentException as e ->
        // Without .NET's " (Parameter 'name')" suffix: noise to a user, who named no parameter.
        fprintfn err "error: %s" (ReportCommand.plain e)
        2
    | :? InvalidDataException as e ->
        fprintfn err "error: %s" e.Message
        2
    | :? Msr.Core.Features.DataFormatException as e ->
        fprintfn err "error: %s" e.Message
        2
    | :? NotSupportedException as e ->
        // A valid request for something a format cannot hold (e.g. a history feature in a CSV export).
        fprintfn err "error: %s" e.Message
        2
    | :? ThreadCountConflictException as e ->
        // libtorch's thread count is per process; an embedding host that set another one gets a clear message.
        fprintfn err "error: %s" e.Message
        2
    | :? FileNotFoundException as e ->
        fprintfn err "error: %s" e.Message
        2
    | :? DirectoryNotFoundException as e ->
        fprintfn err "error: %s" e.Message
        2
    | :? IOException as e ->
        fprintfn err "error: %s" e.Message
        2
    | :? UnauthorizedAccessException as e ->
        fprintfn err "error: %s" e.Message
        2
    | e ->
        // Anything else is a defect in Msr, not in the input: say so plainly; MSR_DEBUG=1 shows where.
        fprintfn err "internal error (%s): %s" (e.GetType().Name) e.Message
        if Environment.GetEnvironmentVariable "MSR_DEBUG" = "1" then fprintfn err "%O" e
        else fprintfn err "run again with MSR_DEBUG=1 for the stack trace, and please report it"
        1

[<EntryPoint>]
let main argv = execute argv Console.Out Console.Error
