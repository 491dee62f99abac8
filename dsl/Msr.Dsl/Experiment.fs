namespace Msr.Dsl

open System

/// A dataset as an experiment names it: registry name, files (None for generated data), loader options.
type DatasetRef =
    { Name: string
      Path: string option
      Options: (string * string) list }

/// A model with its hyper-parameter overrides (defaults come from the model and the dataset preset).
type ModelRef =
    { Name: string
      Options: (string * string) list }

/// A hyper-parameter axis: the option, the values to try, and the models it applies to
/// (empty: every model of the experiment that declares the option; `preset` is common to all).
type Sweep =
    { Option: string
      Values: string list
      Models: string list }

/// Declarative description of an experiment grid: datasets × models × swept hyper-parameters × seeds.
type Experiment =
    { Title: string
      Datasets: DatasetRef list
      Models: ModelRef list
      /// Hyper-parameter axes, each applied to the models that declare the option (or to the models it names).
      Sweeps: Sweep list
      Seeds: int64 list
      /// Trainer options (epochs, batch_size, lr, patience, ...).
      Training: (string * string) list
      ResultsFolder: string option
      /// Processed-dataset cache for datasets read from files; None always re-encodes the raw files.
      CacheFolder: string option
      /// CPU threads for libtorch; None uses every core.
      Threads: int option }

/// Building blocks for the `dataset` operation: the benchmark's datasets by name, and their common options,
/// so a grid reads `dataset (Dataset.kuairand path |> Dataset.largestScenarios 3 |> Dataset.leakFree)`.
module Dataset =
    let named name = { Name = name; Path = None; Options = [] }
    let at name path = { Name = name; Path = Some path; Options = [] }
    /// The embedded synthetic multi-scenario data (no files).
    let synthetic = named "synthetic"
    /// MovieLens-1M: the .dat files, or the benchmark's merged ml-1m.csv.
    let movielens path = at "movielens" path
    let movielens100k path = at "movielens-100k" path
    /// KuaiRand: the benchmark's processed kuairand.csv (`kuairandRaw` for the original logs and side tables).
    let kuairand path = at "kuairand" path
    let kuairandRaw path = at "kuairand-raw" path
    /// Ali-CCP: the benchmark's processed train/val/test CSVs (`aliccpRaw` for the Tianchi files).
    let aliccp path = at "aliccp" path
    let aliccpRaw path = at "aliccp-raw" path
    /// Amazon 5-core review files (Beauty, Clothing, Health by default).
    let amazon path = at "amazon" path
    /// Douban: the benchmark's processed douban.csv (`doubanRaw` for the Kaggle release).
    let douban path = at "douban" path
    let doubanRaw path = at "douban-raw" path
    /// MIND: the benchmark's processed mind.csv (`mindRaw` for behaviors.tsv + news.tsv).
    let mind path = at "mind" path
    let mindRaw path = at "mind-raw" path
    /// Any loader option by name, e.g. `Dataset.with' "min_freq" 5`.
    let with' key value (d: DatasetRef) = { d with Options = d.Options @ [ key, string value ] }
    /// Keep the k largest scenarios (KuaiRand's tabs, MIND's categories): the paper's scenario-number study.
    let largestScenarios (k: int) d = with' "top_k" k d
    /// Fit encoders on the training rows only; unseen values get an out-of-vocabulary id (not the reference's way).
    let leakFree d = with' "encoder" "train-only" d
    /// Add each user's last L items before the event as the history feature (loaders with a timestamped log).
    let withHistory (length: int) d = with' "history" length d
    /// With the history, the attributes of each history item aligned with it (SACN's and SFPNet's attribute histories),
    /// e.g. `Dataset.withHistoryAttributes [ "cate_id" ]` on MovieLens.
    let withHistoryAttributes (columns: string list) d = with' "history_attributes" (String.Join(",", columns)) d

/// Building blocks for the `model` operation.
module Model =
    let named name : ModelRef = { Name = name; Options = [] }
    let with' key value (m: ModelRef) = { m with Options = m.Options @ [ key, string value ] }

/// Raised for an experiment that cannot run; lists every problem found, one plain line each (no stack trace needed).
exception ExperimentError of title: string * problems: string list with
    override this.Message =
        sprintf "experiment '%s' is not valid:\n%s" this.title (this.problems |> List.map (sprintf "  - %s") |> String.concat "\n")

/// The `experiment "title" { ... }` computation expression: custom operations read like the
/// experiment section of a paper ("on dataset X, compare models A, B over seeds 1..10, train 5 epochs").
type ExperimentBuilder(title: string) =
    member _.Yield(_: unit) : Experiment =
        { Title = title; Datasets = []; Models = []; Sweeps = []; Seeds = []; Training = []; ResultsFolder = None
          CacheFolder = Some Msr.Core.Experiments.LoadedDataset.DefaultCacheDirectory; Threads = None }

    /// Add a dataset (see the Dataset module).
    [<CustomOperation("dataset")>]
    member _.Dataset(e: Experiment, d: DatasetRef) = { e with Datasets = e.Datasets @ [ d ] }

    /// Add several datasets at once, e.g. one per scenario count.
    [<CustomOperation("datasets")>]
    member _.Datasets(e: Experiment, ds: DatasetRef list) = { e with Datasets = e.Datasets @ ds }

    /// Add models by registry name, each with its default hyper-parameters.
    [<CustomOperation("compare")>]
    member _.Compare(e: Experiment, names: string list) = { e with Models = e.Models @ (names |> List.map Model.named) }

    /// Add one model with overrides (see the Model module).
    [<CustomOperation("model")>]
    member _.Model(e: Experiment, m: ModelRef) = { e with Models = e.Models @ [ m ] }

    /// Try every value of a model hyper-parameter (a grid axis) on each model that declares it.
    [<CustomOperation("sweep")>]
    member _.Sweep(e: Experiment, key: string, values: string list) =
        { e with Sweeps = e.Sweeps @ [ { Option = key; Values = values; Models = [] } ] }

    /// Try every value of a hyper-parameter on the named models only, e.g. `sweepFor [ "MMoE" ] "experts" [ "2"; "4" ]`.
    [<CustomOperation("sweepFor")>]
    member _.SweepFor(e: Experiment, models: string list, key: string, values: string list) =
        { e with Sweeps = e.Sweeps @ [ { Option = key; Values = values; Models = models } ] }

    [<CustomOperation("seeds")>]
    member _.Seeds(e: Experiment, seeds: int list) = { e with Seeds = e.Seeds @ (seeds |> List.map int64) }

    [<CustomOperation("epochs")>]
    member _.Epochs(e: Experiment, n: int) = { e with Training = e.Training @ [ "epochs", string n ] }

    [<CustomOperation("batchSize")>]
    member _.BatchSize(e: Experiment, n: int) = { e with Training = e.Training @ [ "batch_size", string n ] }

    [<CustomOperation("patience")>]
    member _.Patience(e: Experiment, n: int) = { e with Training = e.Training @ [ "patience", string n ] }

    [<CustomOperation("learningRate")>]
    member _.LearningRate(e: Experiment, lr: float) =
        { e with Training = e.Training @ [ "lr", lr.ToString("R", Globalization.CultureInfo.InvariantCulture) ] }

    /// Where every run computes: "cpu" (default), "cuda" or "auto" (CUDA when usable).
    [<CustomOperation("device")>]
    member _.Device(e: Experiment, name: string) = { e with Training = e.Training @ [ "device", name ] }

    /// Any other trainer option by name, e.g. `train "step_lr" "true"`.
    [<CustomOperation("train")>]
    member _.Train(e: Experiment, key: string, value: string) = { e with Training = e.Training @ [ key, value ] }

    [<CustomOperation("resultsIn")>]
    member _.ResultsIn(e: Experiment, folder: string) = { e with ResultsFolder = Some folder }

    /// Where encoded datasets are cached between runs and sessions.
    [<CustomOperation("cacheIn")>]
    member _.CacheIn(e: Experiment, folder: string) = { e with CacheFolder = Some folder }

    /// Always parse and encode raw files (no processed-dataset cache).
    [<CustomOperation("noCache")>]
    member _.NoCache(e: Experiment) = { e with CacheFolder = None }

    [<CustomOperation("threads")>]
    member _.Threads(e: Experiment, n: int) = { e with Threads = Some n }

[<AutoOpen>]
module ExperimentSyntax =
    /// Starts an experiment description: `experiment "title" { dataset ...; compare [...]; seeds [...] }`.
    let experiment title = ExperimentBuilder(title)
