/// Validation of an experiment and its expansion into core run specs.
module Msr.Dsl.Grid

open System
open System.Collections.Generic
open Msr.Core
open Msr.Core.Data
open Msr.Core.Experiments
open Msr.Core.Features
open Msr.Core.Models
open Msr.Core.Training

let private dict (pairs: (string * string) list) : IReadOnlyDictionary<string, string> =
    let d = Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    for k, v in pairs do d.[k] <- v
    d :> _

let private pairs (options: (string * string) list) = options |> List.map KeyValuePair.Create
let private same (a: string) (b: string) = String.Equals(a, b, StringComparison.OrdinalIgnoreCase)
let private key (k: string) = Settings.NormalizeKey k
let private join (xs: string seq) = String.Join(", ", xs)
let private loaderOf name = DatasetRegistry.All |> Seq.tryFind (fun l -> same l.Name name)
let private modelOf name = ModelRegistry.All |> Seq.tryFind (fun m -> same m.Name name)

/// A core message that may not say whose it is ("option 'x': ..."), prefixed with its owner when it does not.
let private about (owner: string) (problem: string) = if problem.Contains owner then problem else sprintf "%s: %s" owner problem

/// Whether a model takes the option (every model takes `preset`).
let private declares (entry: ModelEntry) (option: string) =
    key option = ModelRegistry.PresetOption || entry.Options |> Seq.exists (fun o -> o.Name = key option)

/// Whether a sweep varies this model: it declares the option and the sweep is for all models or names it.
let private appliesTo (s: Sweep) (m: ModelRef) =
    match modelOf m.Name with
    | Some entry -> declares entry s.Option && (s.Models.IsEmpty || s.Models |> List.exists (same m.Name))
    | None -> false

let private datasetProblems (d: DatasetRef) =
    match loaderOf d.Name with
    | None -> [ sprintf "dataset '%s' is unknown; available: %s" d.Name (DatasetRegistry.All |> Seq.map (fun l -> l.Name) |> join) ]
    | Some loader ->
        [ yield! DatasetOptionCheck.Problems(loader, pairs d.Options) |> Seq.map (about (sprintf "dataset '%s'" loader.Name))
          yield! loader.MissingFiles(DatasetRequest(Option.toObj d.Path, Settings(pairs d.Options))) ]

/// A model that reads behaviour histories (SACN) on a dataset loaded without them would fail every run: said before
/// anything loads, with how to load them or, for data without a timestamped log, which datasets can.
let private historyProblems (e: Experiment) =
    let withHistories (d: DatasetRef) =
        match d.Options |> List.tryFind (fun (k, _) -> key k = HistoryOptions.HistoryLength.Name) with
        | None -> false
        | Some(_, v) -> match Int32.TryParse v with | true, n -> n > 0 | _ -> true   // a bad value is datasetProblems' to report
    [ for m in e.Models do
        match modelOf m.Name with
        | Some entry when entry.RequiresHistories ->
            for d in e.Datasets do
                match loaderOf d.Name with
                | Some loader when not (withHistories d) ->
                    if HistoryOptions.TakenBy loader then
                        sprintf "model '%s' reads behaviour histories: load dataset '%s' with history=L and history_attributes=<item attribute columns> (on MovieLens: `Dataset.withHistory 20 >> Dataset.withHistoryAttributes [ \"cate_id\" ]`)" entry.Name loader.Name
                    else
                        sprintf "model '%s' reads behaviour histories, which dataset '%s' cannot give (no timestamped log); datasets that can: %s"
                            entry.Name loader.Name (DatasetRegistry.All |> Seq.filter HistoryOptions.TakenBy |> Seq.map (fun l -> l.Name) |> join)
                | _ -> ()
        | _ -> () ]

let private modelProblems (m: ModelRef) =
    match modelOf m.Name with
    | None -> [ sprintf "model '%s' is unknown; available: %s" m.Name (ModelRegistry.All |> Seq.map (fun r -> r.Name) |> join) ]
    | Some entry -> entry.Problems(pairs m.Options) |> Seq.map (about (sprintf "model '%s'" entry.Name)) |> List.ofSeq

let private sweepProblems (e: Experiment) (s: Sweep) =
    let owner = sprintf "sweep '%s'" s.Option
    let compared = e.Models |> List.map (fun m -> m.Name) |> join
    let declaredBy =
        match ModelRegistry.All |> Seq.filter (fun m -> declares m s.Option) |> Seq.map (fun m -> m.Name) |> List.ofSeq with
        | [] -> "no registered model declares it"
        | names -> "declared by " + join names
    let targets = e.Models |> List.filter (appliesTo s)
    [ if s.Values.IsEmpty then sprintf "%s has no values" owner
      for v, n in List.countBy id s.Values do
          if n > 1 then sprintf "%s lists value '%s' %d times" owner v n
      for name in s.Models do
          match e.Models |> List.tryFind (fun m -> same m.Name name), modelOf name with
          | None, _ -> sprintf "%s is for model '%s', which the experiment does not compare; compared: %s" owner name compared
          | Some _, Some entry when not (declares entry s.Option) ->
              sprintf "%s: model '%s' has no option '%s' (%s)" owner entry.Name s.Option declaredBy
          | Some _, _ -> ()
      if s.Models.IsEmpty && targets.IsEmpty && e.Models |> List.forall (fun m -> (modelOf m.Name).IsSome) then
          sprintf "%s varies no compared model (%s); compared: %s" owner declaredBy compared
      yield!
          [ for m in targets do
                for v in s.Values do
                    yield! (modelOf m.Name).Value.Problems([ KeyValuePair.Create(s.Option, v) ]) |> Seq.map (about owner) ]
          |> List.distinct
      for m in targets do
          if m.Options |> List.exists (fun (k, _) -> key k = key s.Option) then
              sprintf "model '%s' sets '%s' and %s varies it: keep one" m.Name s.Option owner ]

/// Two sweeps of one option that reach the same model would multiply the grid by a meaningless axis.
let private overlappingSweeps (e: Experiment) =
    [ for m in e.Models do
          for option, sweeps in e.Sweeps |> List.filter (fun s -> appliesTo s m) |> List.groupBy (fun s -> key s.Option) do
              if sweeps.Length > 1 then sprintf "sweep '%s' is given %d times for model '%s'" option sweeps.Length m.Name ]
    |> List.distinct

/// Every problem of an experiment description, with a precise message each (empty = valid). Nothing is loaded or
/// trained: datasets are checked against their loaders' declared options and expected files, models against their
/// declared options, sweeps against the models they vary, trainer options against the trainer's.
let problems (e: Experiment) : string list =
    [ if String.IsNullOrWhiteSpace e.Title then "the experiment has no title"
      if e.Datasets.IsEmpty then "no dataset: add e.g. `dataset Dataset.synthetic`"
      if e.Models.IsEmpty then "no model: add e.g. `compare [ \"SharedBottom\"; \"STAR\" ]`"
      if e.Seeds.IsEmpty then "no seeds: add e.g. `seeds [ 1 .. 3 ]`"
      for d in e.Datasets do yield! datasetProblems d
      for m in e.Models do yield! modelProblems m
      yield! historyProblems e
      for dup in e.Models |> List.countBy (fun m -> m.Name.ToLowerInvariant(), m.Options) |> List.filter (fun (_, n) -> n > 1) do
          sprintf "model '%s' is listed twice with the same options" (fst (fst dup))
      for s in e.Sweeps do yield! sweepProblems e s
      yield! overlappingSweeps e
      yield! TrainerOptions.Problems(pairs e.Training) |> Seq.map (about "training")
      for dup in e.Seeds |> List.countBy id |> List.filter (fun (_, n) -> n > 1) do
          sprintf "seed %d is listed %d times" (fst dup) (snd dup)
      match e.Threads with
      | Some n when n < 1 -> sprintf "threads: %d is not a thread count (at least 1)" n
      | _ -> () ]
    |> List.distinct

/// Raises ExperimentError listing every problem, or returns the experiment unchanged.
let validate (e: Experiment) =
    match problems e with
    | [] -> e
    | ps -> raise (ExperimentError(e.Title, ps))

/// Cartesian product of the sweep axes as lists of (key, value).
let private combinations (sweeps: Sweep list) =
    List.foldBack (fun (s: Sweep) acc -> [ for v in s.Values do for rest in acc -> (s.Option, v) :: rest ]) sweeps [ [] ]

/// What a run would actually train with: the model's every declared option resolved (given value in canonical form,
/// else the default of the run's preset), so two specs that differ only in how they say it (a preset whose defaults
/// equal another's for this model) have the same identity.
let private resolvedIdentity (spec: RunSpec) =
    let entry = ModelRegistry.Get spec.Model
    let given = spec.ModelOptions |> Seq.map (fun kv -> key kv.Key, kv.Value) |> Map.ofSeq
    let preset =
        given.TryFind ModelRegistry.PresetOption
        |> Option.defaultValue (DatasetRegistry.Get spec.Dataset).Defaults.ModelPreset
        |> Presets.Normalize
    let resolved =
        [ for o in entry.Options ->
              o.Name,
              match given.TryFind o.Name with
              | Some v -> defaultArg (Option.ofObj (o.Canonical v)) v
              | None -> o.DefaultText preset ]
    RunSpec(spec.Dataset, spec.DatasetPath, spec.DatasetOptions, entry.Name, dict resolved, spec.TrainerOptions, spec.Seed).RunId

/// One core run spec per dataset × model × (values of the sweeps that vary that model) × seed, in that nesting order.
/// Runs whose resolved configuration is identical to an earlier one (e.g. a preset sweep over a model whose defaults
/// are the same under both presets) are kept once. Raises ExperimentError (every problem) for an invalid experiment.
let compile (e: Experiment) : RunSpec list =
    let e = validate e
    [ for d in e.Datasets do
          for m in e.Models do
              for combo in combinations (e.Sweeps |> List.filter (fun s -> appliesTo s m)) do
                  for seed in e.Seeds ->
                      RunSpec(d.Name, Option.toObj d.Path, dict d.Options, m.Name, dict (m.Options @ combo), dict e.Training, seed) ]
    |> List.distinctBy resolvedIdentity

/// For scripts: runs `f` (e.g. `fun () -> Execution.run study`); an invalid experiment, csvData declaration or data
/// file is printed as its plain message on standard error and the script exits with code 2, instead of an
/// exception with a stack trace.
let orExit (f: unit -> 'T) : 'T =
    let fail (message: string) =
        eprintfn "%s" message
        exit 2
    try
        f ()
    with
    | ExperimentError _ as ex -> fail ex.Message
    | CsvDataError _ as ex -> fail ex.Message
    | :? DataFormatException as ex -> fail ex.Message
