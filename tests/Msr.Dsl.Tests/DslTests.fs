module Msr.Dsl.Tests.DslTests

open System
open System.IO
open Expecto
open Msr.Core.Results
open Msr.Dsl

let private tempFolder () =
    let d = Path.Combine(Path.GetTempPath(), "msr-dsl-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// A grid small enough to train in seconds.
let private tiny folder =
    experiment "tiny grid" {
        dataset (Dataset.synthetic |> Dataset.with' "rows" 1500 |> Dataset.with' "users" 100 |> Dataset.with' "items" 80)
        compare [ "SharedBottom"; "MMoE" ]
        seeds [ 1; 2 ]
        epochs 1
        batchSize 256
        resultsIn folder
    }

let private problemsOf e =
    try
        Grid.validate e |> ignore
        []
    with ExperimentError(_, ps) -> ps

let private silent (_: Execution.Progress) = ()

[<Tests>]
let datasetHelpers =
    testList "dataset helpers" [
        test "named datasets and options compile to the loader and its option keys" {
            let d = Dataset.kuairand "/data/kuairand.csv" |> Dataset.largestScenarios 3 |> Dataset.leakFree
            Expect.equal (d.Name, d.Path) ("kuairand", Some "/data/kuairand.csv") "loader and path"
            Expect.equal d.Options [ "top_k", "3"; "encoder", "train-only" ] "options in order"
            Expect.equal (Dataset.mindRaw "/m" |> Dataset.withHistory 20).Options [ "history", "20" ] "history"
            for d in [ Dataset.movielens "/x"; Dataset.movielens100k "/x"; Dataset.kuairandRaw "/x"; Dataset.aliccp "/x"; Dataset.aliccpRaw "/x"
                       Dataset.amazon "/x"; Dataset.douban "/x"; Dataset.doubanRaw "/x"; Dataset.mind "/x" ] do
                Expect.isTrue (Msr.Core.Data.DatasetRegistry.All |> Seq.exists (fun l -> l.Name = d.Name)) (sprintf "'%s' is a registered loader" d.Name)
        }
    ]

[<Tests>]
let validation =
    testList "experiment validation" [
        test "an empty experiment lists every missing part" {
            let ps = problemsOf (experiment "empty" { epochs 1 })
            Expect.exists ps (fun p -> p.StartsWith "no dataset") "missing dataset reported"
            Expect.exists ps (fun p -> p.StartsWith "no model") "missing model reported"
            Expect.exists ps (fun p -> p.StartsWith "no seeds") "missing seeds reported"
        }
        test "an unknown model is named with the available ones" {
            let ps = problemsOf (experiment "typo" { dataset Dataset.synthetic; compare [ "STARR" ]; seeds [ 1 ] })
            Expect.equal ps.Length 1 "one problem"
            Expect.stringContains ps.Head "'STARR'" "names the model"
            Expect.stringContains ps.Head "SharedBottom" "lists available models"
        }
        test "a model that reads histories on data loaded without them is refused before anything loads" {
            let without = problemsOf (experiment "sacn" { dataset Dataset.synthetic; compare [ "SACN"; "STAR" ]; seeds [ 1 ] })
            Expect.equal without [ "model 'SACN' reads behaviour histories: load dataset 'synthetic' with history=L and history_attributes=<item attribute columns> (on MovieLens: `Dataset.withHistory 20 >> Dataset.withHistoryAttributes [ \"cate_id\" ]`)" ] "how to load them"
            let cannot = problemsOf (experiment "sacn" { dataset (Dataset.amazon "/x"); compare [ "SACN" ]; seeds [ 1 ] })
            Expect.exists cannot (fun p -> p.StartsWith "model 'SACN' reads behaviour histories, which dataset 'amazon' cannot give" && p.Contains "movielens-100k") "which datasets can"
            let synthetic = Dataset.synthetic |> Dataset.withHistory 4 |> Dataset.withHistoryAttributes [ "item_attr1" ]
            Expect.equal synthetic.Options [ "history", "4"; "history_attributes", "item_attr1" ] "the options"
            Expect.equal (problemsOf (experiment "sacn" { dataset synthetic; compare [ "SACN" ]; seeds [ 1 ] })) [] "with histories: no problem"
        }
        test "an unknown dataset is named" {
            let ps = problemsOf (experiment "typo" { dataset (Dataset.named "movielenz"); compare [ "STAR" ]; seeds [ 1 ] })
            Expect.exists ps (fun p -> p.Contains "'movielenz'" && p.Contains "synthetic") "names the dataset and the available ones"
        }
        test "duplicate seeds and empty sweeps are reported" {
            let ps =
                problemsOf (experiment "dup" { dataset Dataset.synthetic; compare [ "STAR" ]; seeds [ 1; 2; 1 ]; sweep "aux_dims" [] })
            Expect.exists ps (fun p -> p = "seed 1 is listed 2 times") "duplicate seed"
            Expect.exists ps (fun p -> p = "sweep 'aux_dims' has no values") "empty sweep"
        }
        test "the error message carries the title and every problem" {
            let e = experiment "broken study" { compare [ "nope" ] }
            let ex = Expect.throwsC (fun () -> Grid.compile e |> ignore) id
            Expect.stringContains ex.Message "broken study" "title"
            Expect.stringContains ex.Message "'nope'" "model"
            Expect.stringContains ex.Message "no dataset" "dataset"
        }
    ]

[<Tests>]
let compilation =
    testList "grid compilation" [
        test "datasets × models × sweep values × seeds, with distinct run ids" {
            let e =
                experiment "grid" {
                    dataset Dataset.synthetic
                    dataset (Dataset.synthetic |> Dataset.with' "scenarios" 4)
                    compare [ "SharedBottom"; "STAR" ]
                    model (Model.named "MMoE" |> Model.with' "expert_dims" "[8]")
                    sweep "preset" [ "movielens"; "aliccp" ]
                    seeds [ 1 .. 3 ]
                    epochs 2
                }
            let specs = Grid.compile e
            Expect.equal specs.Length (2 * 3 * 2 * 3) "cartesian product"
            Expect.equal (specs |> List.map (fun s -> s.RunId) |> List.distinct |> List.length) specs.Length "run ids are distinct"
            Expect.isTrue (specs |> List.forall (fun s -> s.TrainerOptions.["epochs"] = "2")) "training options reach every run"
            let mmoe = specs |> List.find (fun s -> s.Model = "MMoE")
            Expect.equal mmoe.ModelOptions.["expert_dims"] "[8]" "model overrides are kept"
        }
        test "run ids are stable across compilations" {
            let ids () = Grid.compile (tiny "x") |> List.map (fun s -> s.RunId)
            Expect.equal (ids ()) (ids ()) "same experiment, same ids"
        }
    ]

[<Tests>]
let execution =
    testList "grid execution" [
        test "a grid trains every run, then resumes without retraining" {
            let folder = tempFolder ()
            let first = Execution.runWith silent (tiny folder)
            Expect.equal (first.Trained, first.Resumed, first.Failed) (4, 0, 0) "all trained"
            Expect.equal (Directory.GetFiles(folder, "*.json").Length) 4 "one record per run"
            Expect.isEmpty (Directory.GetFiles(folder, "*.tmp")) "no temporary files left"
            let second = Execution.runWith silent (tiny folder)
            Expect.equal (second.Trained, second.Resumed) (0, 4) "all resumed"
            let auc (r: RunRecord) = r.Test.Overall.Auc.Value
            Expect.equal (second.Records |> List.map auc) (first.Records |> List.map auc) "the same numbers come back"
        }
        test "an interrupted grid keeps finished runs and resumes the rest" {
            let folder = tempFolder ()
            let stopAfterFirst (p: Execution.Progress) =
                match p with
                | Execution.RunFinished(_, _, Execution.Trained _, _, _) -> raise (OperationCanceledException "interrupted")
                | _ -> ()
            Expect.throwsT<OperationCanceledException> (fun () -> Execution.runWith stopAfterFirst (tiny folder) |> ignore) "interrupted"
            Expect.equal (Directory.GetFiles(folder, "*.json").Length) 1 "the finished run was kept"
            let resumed = Execution.runWith silent (tiny folder)
            Expect.equal (resumed.Trained, resumed.Resumed) (3, 1) "only the missing runs are trained"
        }
        test "the same seed twice gives identical metrics" {
            let a = Execution.runWith silent (tiny (tempFolder ()))
            let b = Execution.runWith silent (tiny (tempFolder ()))
            let metrics (g: Execution.GridResult) =
                g.Records |> List.map (fun r -> r.Test.Overall.Auc.Value, r.Test.Overall.LogLoss.Value, r.Test.Scenarios |> Seq.map (fun s -> s.Auc) |> List.ofSeq)
            Expect.equal (metrics a) (metrics b) "bitwise equal metrics"
        }
        test "a diverging run is recorded as failed and the grid goes on" {
            let folder = tempFolder ()
            let e = { tiny folder with Training = [ "epochs", "1"; "batch_size", "256"; "lr", "1e30" ] }
            let result = Execution.runWith silent e
            Expect.equal result.Outcomes.Length 4 "every run was attempted"
            Expect.equal result.Failed 4 "all diverged"
            let r = result.Records.Head
            Expect.equal r.Status RunRecord.Failed "status"
            Expect.stringContains r.Error "diverged" "the reason is recorded"
            Expect.equal (Directory.GetFiles(folder, "*.json").Length) 4 "failed runs are recorded too"
            // Completed and failed runs of the same models in one folder: the table averages the completed
            // ones and reports the failures. The two learning rates are two configurations, so two rows each.
            Execution.runWith silent { tiny folder with Training = [ "epochs", "1"; "batch_size", "256" ] } |> ignore
            let all = ResultStore(folder).ReadAll() |> List.ofSeq
            Expect.equal all.Length 8 "4 failed + 4 completed records"
            let table = Tables.summary all
            // Models in the experiment's order (run order), not alphabetical.
            Expect.stringContains table @"Failed runs (excluded): SharedBottom (learning\_rate=1E+30) 2, MMoE (learning\_rate=1E+30) 2"
                "the caption counts failures under the failing configuration"
            Expect.stringContains table @"| SharedBottom (learning\_rate=0.001) | " "completed runs still make rows, apart from the failed ones"
            let cells = table.Split('\n') |> Array.filter (fun l -> l.StartsWith "|")
            Expect.isFalse (cells |> Array.exists (fun l -> l.Contains "NaN")) "no NaN in any cell"
        }
        test "the summary table shows each model with mean ± std over seeds" {
            let result = Execution.runWith silent (tiny (tempFolder ()))
            let table = Tables.summary result.Records
            for m in [ "SharedBottom"; "MMoE" ] do Expect.stringContains table m "model row"
            Expect.stringContains table "±" "spread"
            Expect.stringContains table "scenario0 AUC" "per-scenario column"
            Expect.stringContains table "Welch t-test" "the caption names the test"
            Expect.isFalse (table.Contains "NaN") "no NaN"
        }
    ]
