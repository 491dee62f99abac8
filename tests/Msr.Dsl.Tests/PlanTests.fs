module Msr.Dsl.Tests.PlanTests

open System
open System.Diagnostics
open System.IO
open Expecto
open Msr.Dsl

let private tempFolder () =
    let d = Path.Combine(Path.GetTempPath(), "msr-plan-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

let private problemsOf e =
    try
        Grid.validate e |> ignore
        []
    with ExperimentError(_, ps) -> ps

let private small = Dataset.synthetic |> Dataset.with' "rows" 1500 |> Dataset.with' "users" 100 |> Dataset.with' "items" 80

/// Runs per model name, in compilation order.
let private runsPerModel e =
    Grid.compile e |> List.countBy (fun s -> s.Model)

[<Tests>]
let wholePlanValidation =
    testList "whole-plan validation" [
        test "every mistake of a plan is listed at once, plainly, before anything loads or trains" {
            let folder = Path.Combine(tempFolder (), "results")
            let broken =
                experiment "broken study" {
                    dataset Dataset.synthetic
                    dataset (Dataset.synthetic |> Dataset.with' "scenarios" 0)
                    dataset (Dataset.movielens100k "/nonexistent/ml-100k" |> Dataset.with' "min_frequency" 2)
                    compare [ "SharedBottom"; "MMoE" ]
                    model (Model.named "PLE" |> Model.with' "expert_dims" "wide" |> Model.with' "tower" "[8]")
                    sweepFor [ "SharedBottom" ] "experts" [ "2"; "4" ]
                    sweep "preset" [ "movielens"; "ml" ]
                    seeds [ 1; 2; 1 ]
                    epochs 0
                    train "patiance" "3"
                    train "monitor" "recall"
                    resultsIn folder
                }
            let clock = Stopwatch.StartNew()
            let ex = Expect.throwsC (fun () -> Execution.runWith ignore broken |> ignore) id
            Expect.isLessThan clock.Elapsed.TotalSeconds 10.0 "fails within 10 s"
            Expect.isFalse (Directory.Exists folder) "no run record was written"
            Expect.equal ex.Message
                (String.concat "\n"
                    [ "experiment 'broken study' is not valid:"
                      "  - dataset 'synthetic': option 'scenarios': 0 must be between 1 and 1000"
                      "  - unknown option 'min_frequency' for dataset 'movielens-100k'; its options: encoder, min_freq, split_seed, embedding_dim, history, history_clicks_only, history_attributes"
                      "  - dataset 'movielens-100k': folder '/nonexistent/ml-100k' not found; it should hold u.data, u.user, u.item"
                      "  - model 'PLE': option 'expert_dims': 'wide' is not a list of layer widths like [128,64]"
                      "  - unknown option 'tower' for model 'PLE'; its options: specific_experts, shared_experts, expert_dims, tower_dims, gate_batch_norm, preset"
                      "  - sweep 'experts': model 'SharedBottom' has no option 'experts' (declared by MMoE, M2M)"
                      "  - sweep 'preset': option 'preset': unknown preset 'ml'; valid presets: movielens, kuairand, aliccp, amazon, douban, mind"
                      "  - training: option 'epochs': 0 must be between 1 and 2147483647"
                      "  - training: option 'monitor': 'recall' is not one of auto, auc, logloss"
                      "  - training: unknown trainer option 'patiance'; trainer options: batch_size, device, embedding_updates, epochs, lr, monitor, patience, restore_best_at_end, step_lr, step_lr_gamma, step_lr_step_size, weight_decay"
                      "  - seed 1 is listed 2 times" ])
                "every problem, verbatim"
            Expect.isFalse (ex.Message.Contains "   at ") "no stack trace in the message"
        }
        test "a missing file in the last dataset is named with what the loader expects" {
            let data = tempFolder ()
            File.WriteAllText(Path.Combine(data, "u.data"), "1\t1\t5\t881250949\n")
            let ps =
                problemsOf (experiment "files" { dataset small; dataset (Dataset.movielens100k data); compare [ "STAR" ]; seeds [ 1 ] })
            Expect.equal ps
                [ sprintf "dataset 'movielens-100k': file 'u.user' not found in '%s'; the loader expects u.data, u.user, u.item" data
                  sprintf "dataset 'movielens-100k': file 'u.item' not found in '%s'; the loader expects u.data, u.user, u.item" data ]
                "both missing files"
        }
        test "a dataset that needs files but has no path says so" {
            Expect.equal (problemsOf (experiment "no path" { dataset (Dataset.named "kuairand"); compare [ "STAR" ]; seeds [ 1 ] }))
                [ "dataset 'kuairand' needs a path: its file or a folder with kuairand.csv" ] "path needed"
        }
        test "threads below one are reported" {
            Expect.equal (problemsOf (experiment "t" { dataset small; compare [ "STAR" ]; seeds [ 1 ]; threads 0 }))
                [ "threads: 0 is not a thread count (at least 1)" ] "threads"
        }
    ]

[<Tests>]
let scopedSweeps =
    testList "sweeps scoped to models" [
        test "a sweep varies only the models that declare the option" {
            let e = experiment "scoped" { dataset small; compare [ "SharedBottom"; "MMoE"; "PLE" ]; sweep "expert_dims" [ "[8]"; "[16,8]" ]; seeds [ 1 ] }
            Expect.equal (runsPerModel e) [ "SharedBottom", 1; "MMoE", 2; "PLE", 2 ] "SharedBottom has no expert_dims"
            let mmoe = Grid.compile e |> List.filter (fun s -> s.Model = "MMoE") |> List.map (fun s -> s.ModelOptions.["expert_dims"])
            Expect.equal mmoe [ "[8]"; "[16,8]" ] "the swept values reach the run specs"
        }
        test "sweepFor varies only the models it names" {
            let e = experiment "for" { dataset small; compare [ "MMoE"; "PLE" ]; sweepFor [ "MMoE" ] "expert_dims" [ "[8]"; "[16]"; "[32]" ]; seeds [ 1; 2 ] }
            Expect.equal (runsPerModel e) [ "MMoE", 6; "PLE", 2 ] "PLE keeps its default"
        }
        test "a sweep no compared model declares, or for a model not compared, is an error naming who declares it" {
            Expect.equal (problemsOf (experiment "none" { dataset small; compare [ "SharedBottom"; "PLE" ]; sweep "experts" [ "2" ]; seeds [ 1 ] }))
                [ "sweep 'experts' varies no compared model (declared by MMoE, M2M); compared: SharedBottom, PLE" ] "no model declares it"
            Expect.equal (problemsOf (experiment "absent" { dataset small; compare [ "MMoE" ]; sweepFor [ "STAR" ] "aux_dims" [ "[8]" ]; seeds [ 1 ] }))
                [ "sweep 'aux_dims' is for model 'STAR', which the experiment does not compare; compared: MMoE" ] "model not compared"
            Expect.equal (problemsOf (experiment "typo" { dataset small; compare [ "MMoE" ]; sweep "expert_dimz" [ "[8]" ]; seeds [ 1 ] }))
                [ "sweep 'expert_dimz' varies no compared model (no registered model declares it); compared: MMoE" ] "an option nobody has"
        }
        test "an option both set on a model and swept for it, or swept twice, is an error" {
            let e =
                experiment "twice" {
                    dataset small
                    model (Model.named "MMoE" |> Model.with' "experts" 2)
                    sweep "experts" [ "3"; "4" ]
                    sweepFor [ "MMoE" ] "experts" [ "5" ]
                    seeds [ 1 ]
                }
            Expect.equal (problemsOf e)
                [ "model 'MMoE' sets 'experts' and sweep 'experts' varies it: keep one"
                  "sweep 'experts' is given 2 times for model 'MMoE'" ]
                "conflicts"
        }
        test "runs whose resolved configuration is identical are compiled once (a preset sweep over equal defaults)" {
            // MovieLens and Amazon share every default of every model (spec §4 tables); KuaiRand differs for MMoE.
            let e = experiment "presets" { dataset small; compare [ "BaseDNN"; "MMoE" ]; sweep "preset" [ "movielens"; "amazon"; "kuairand" ]; seeds [ 1; 2 ] }
            Expect.equal (runsPerModel e) [ "BaseDNN", 2; "MMoE", 4 ] "BaseDNN once per seed, MMoE twice"
            let same = experiment "spelling" { dataset small; model (Model.named "MMoE" |> Model.with' "expert_dims" "16"); compare [ "MMoE" ]; seeds [ 1 ] }
            Expect.equal (Grid.compile same).Length 1 "an explicit default is the default"
        }
        test "tables label a swept model by the swept option, and other models plainly" {
            let folder = tempFolder ()
            let e =
                experiment "labels" {
                    dataset small
                    compare [ "SharedBottom"; "MMoE" ]
                    sweepFor [ "MMoE" ] "experts" [ "1"; "2" ]
                    seeds [ 1; 2 ]
                    epochs 1
                    batchSize 256
                    resultsIn folder
                }
            let result = Execution.runWith ignore e
            Expect.equal result.Trained 6 "2 SharedBottom + 4 MMoE runs"
            let table = Tables.summary result.Records
            for label in [ "| SharedBottom |"; "| MMoE (experts=1) |"; "| MMoE (experts=2) |" ] do
                Expect.stringContains table label "row label"
            Expect.isFalse (table.Contains "SharedBottom (") "SharedBottom was not swept"
        }
    ]

[<Tests>]
let planFiles =
    testList "plan.json" [
        test "save then load gives the same experiment" {
            let e =
                experiment "round trip" {
                    dataset (Dataset.kuairand "/data/kuairand" |> Dataset.largestScenarios 3 |> Dataset.leakFree)
                    dataset small
                    compare [ "SharedBottom"; "STAR" ]
                    model (Model.named "MMoE" |> Model.with' "expert_dims" "[16,8]")
                    sweep "preset" [ "movielens"; "kuairand" ]
                    sweepFor [ "MMoE" ] "experts" [ "2"; "4" ]
                    seeds [ 2022 .. 2024 ]
                    epochs 5
                    learningRate 0.002
                    resultsIn "results/rt"
                    threads 3
                }
            let path = Path.Combine(tempFolder (), "plan.json")
            PlanFile.save path e
            Expect.equal (PlanFile.load path) e "round trip"
            let noCache = { e with CacheFolder = None; Threads = None; ResultsFolder = None }
            PlanFile.save path noCache
            Expect.equal (PlanFile.load path) noCache "absent folders and threads round-trip too"
            Expect.isEmpty (Directory.GetFiles(Path.GetDirectoryName path, "*.tmp")) "no temporary file left"
        }
        test "a hand-written plan may use numbers, booleans and lists as option values" {
            let path = Path.Combine(tempFolder (), "plan.json")
            File.WriteAllText(path, """{ "title": "t", "datasets": [ { "name": "synthetic", "options": { "rows": 900 } } ],
  "models": [ { "name": "MMoE", "options": { "expert_dims": [16, 8], "gate_batch_norm": false } } ], "seeds": [1] }""")
            let e = PlanFile.load path
            Expect.equal e.Datasets [ { Name = "synthetic"; Path = None; Options = [ "rows", "900" ] } ] "dataset"
            Expect.equal e.Models [ { Name = "MMoE"; Options = [ "expert_dims", "[16,8]"; "gate_batch_norm", "false" ] } ] "model"
            Expect.equal e.CacheFolder (Some Msr.Core.Experiments.LoadedDataset.DefaultCacheDirectory) "default cache when absent"
        }
        test "a malformed plan names the file and every bad field" {
            let path = Path.Combine(tempFolder (), "plan.json")
            File.WriteAllText(path, """{ "title": 3, "sede": 1, "datasets": [ { "name": "synthetic", "options": { "rows": {} } }, { "path": "x" } ],
  "models": "MMoE", "seeds": [1, "2"], "threads": 1.5 }""")
            let ex = Expect.throwsC (fun () -> PlanFile.load path |> ignore) id
            Expect.equal ex.Message
                (String.concat "\n"
                    [ sprintf "experiment '%s' is not valid:" path
                      sprintf "  - %s: unknown field 'sede'; valid fields: title, datasets, models, sweeps, seeds, training, results, cache, threads" path
                      sprintf "  - %s: field 'title' must be a string (got 3)" path
                      sprintf "  - %s: field 'datasets[0].options.rows' must be a string, number, boolean or list (got {})" path
                      sprintf "  - %s: field 'datasets[1].name' must be a string (got null)" path
                      sprintf "  - %s: field 'models' must be a list (got \"MMoE\")" path
                      sprintf "  - %s: field 'seeds[1]' must be an integer (got \"2\")" path
                      sprintf "  - %s: field 'threads' must be an integer (got 1.5)" path ])
                "every bad field"
        }
        test "a file that is not JSON, or is missing, is named" {
            let path = Path.Combine(tempFolder (), "plan.json")
            File.WriteAllText(path, "{ \"title\": ")
            let ex = Expect.throwsC (fun () -> PlanFile.load path |> ignore) id
            Expect.stringContains ex.Message (sprintf "%s: not valid JSON: " path) "not JSON"
            let missing = Expect.throwsC (fun () -> PlanFile.load (path + ".nope") |> ignore) id
            Expect.stringContains missing.Message (sprintf "plan file '%s.nope' not found" path) "missing"
        }
    ]
