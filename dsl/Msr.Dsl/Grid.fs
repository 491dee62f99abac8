/// Validation of an experiment and its expansion into core run specs.
module Msr.Dsl.Grid

open System
open System.Collections.Generic
open Msr.Core
open Msr.Core.Data
open Msr.Core.Experiments
open Msr.Core.Models

let private dict (pairs: (string * string) list) : IReadOnlyDictionary<string, string> =
    let d = Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    for k, v in pairs do d.[k] <- v
    d :> _

/// Every problem of an experiment description, with a precise message each (empty = valid).
let problems (e: Experiment) : string list =
    [ if String.IsNullOrWhiteSpace e.Title then "the experiment has no title"
      if e.Datasets.IsEmpty then "no dataset: add e.g. `dataset Dataset.synthetic`"
      if e.Models.IsEmpty then "no model: add e.g. `compare [ \"SharedBottom\"; \"STAR\" ]`"
      if e.Seeds.IsEmpty then "no seeds: add e.g. `seeds [ 1 .. 3 ]`"
      for d in e.Datasets do
          match DatasetRegistry.All |> Seq.tryFind (fun l -> String.Equals(l.Name, d.Name, StringComparison.OrdinalIgnoreCase)) with
          | None ->
              let known = DatasetRegistry.All |> Seq.map (fun l -> l.Name) |> String.concat ", "
              sprintf "dataset '%s' is unknown; available: %s" d.Name known
          | Some loader when loader.ExpectedFiles.Count > 0 && d.Path.IsNone ->
              sprintf "dataset '%s' needs a path to its files (%s): use `Dataset.at \"%s\" \"<folder>\"`"
                  d.Name (String.Join(", ", loader.ExpectedFiles)) d.Name
          | Some _ -> ()
      for m in e.Models do
          if ModelRegistry.All |> Seq.exists (fun r -> String.Equals(r.Name, m.Name, StringComparison.OrdinalIgnoreCase)) |> not then
              let known = ModelRegistry.All |> Seq.map (fun r -> r.Name) |> String.concat ", "
              sprintf "model '%s' is unknown; available: %s" m.Name known
      for dup in e.Seeds |> List.countBy id |> List.filter (fun (_, n) -> n > 1) do
          sprintf "seed %d is listed %d times" (fst dup) (snd dup)
      for key, values in e.Sweeps do
          if values.IsEmpty then sprintf "sweep '%s' has no values" key
      for dup in e.Sweeps |> List.countBy (fst >> fun k -> k.ToLowerInvariant()) |> List.filter (fun (_, n) -> n > 1) do
          sprintf "hyper-parameter '%s' is swept twice" (fst dup)
      for dup in e.Models |> List.countBy (fun m -> m.Name.ToLowerInvariant(), m.Options) |> List.filter (fun (_, n) -> n > 1) do
          sprintf "model '%s' is listed twice with the same options" (fst (fst dup)) ]

/// Raises ExperimentError listing every problem, or returns the experiment unchanged.
let validate (e: Experiment) =
    match problems e with
    | [] -> e
    | ps -> raise (ExperimentError(e.Title, ps))

/// Cartesian product of the sweep axes as lists of (key, value).
let private combinations (sweeps: (string * string list) list) =
    List.foldBack (fun (key, values) acc -> [ for v in values do for rest in acc -> (key, v) :: rest ]) sweeps [ [] ]

/// One core run spec per dataset × model × sweep combination × seed, in that nesting order.
let compile (e: Experiment) : RunSpec list =
    let e = validate e
    [ for d in e.Datasets do
          for m in e.Models do
              for combo in combinations e.Sweeps do
                  for seed in e.Seeds ->
                      RunSpec(d.Name, Option.toObj d.Path, dict d.Options, m.Name, dict (m.Options @ combo), dict e.Training, seed) ]
