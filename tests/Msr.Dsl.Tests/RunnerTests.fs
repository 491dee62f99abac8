module Msr.Dsl.Tests.RunnerTests

open System
open System.IO
open Expecto
open Msr.Core.Results
open Msr.Dsl

/// A temporary folder removed when disposed.
type TempFolder() =
    let path = Directory.CreateTempSubdirectory("msr-runner-").FullName
    member _.Path = path
    member _.File name = IO.Path.Combine(path, name)
    interface IDisposable with
        member _.Dispose() = if Directory.Exists path then Directory.Delete(path, true)

let private silent (_: Execution.Progress) = ()

/// Two models, two seeds, plus one model whose options pass every check but whose construction throws
/// (the second layer of 65536 × 2^31 floats cannot be allocated): the test-only always-failing case.
let private withFailing folder =
    experiment "survives" {
        dataset (Dataset.synthetic |> Dataset.with' "rows" 800)
        compare [ "BaseDNN"; "SharedBottom" ]
        model (Model.named "SharedBottom" |> Model.with' "bottom_dims" "[65536,2147483647]")
        seeds [ 1; 2 ]
        epochs 1
        batchSize 128
        resultsIn folder
    }

let private recordFiles folder = Directory.GetFiles(folder, "*.json")

[<Tests>]
let runner =
    testList "runner" [
        test "a grid with an always-failing model records the failures and completes the others" {
            use dir = new TempFolder()
            let result = Execution.runWithOptions Execution.RunOptions.Default silent (withFailing dir.Path)
            Expect.equal (result.Trained, result.Failed) (4, 2) "4 trained, 2 failed"
            for r in result.Records |> List.filter (fun r -> not r.IsCompleted) do
                Expect.stringStarts r.Error "ExternalException: " "exception type first"
                Expect.isFalse (r.Error.Contains "frame #") "no stack trace"
            Expect.equal (recordFiles dir.Path).Length 6 "every run recorded"
            for r in result.Records |> List.filter (fun r -> r.IsCompleted) do
                Expect.isTrue (File.Exists(dir.File r.Weights)) "weights beside the record"
            let again = Execution.runWithOptions Execution.RunOptions.Default silent (withFailing dir.Path)
            Expect.equal (again.Trained, again.Resumed) (0, 6) "failed runs are not retried"
        }
        test "a dataset that fails to load records its runs as failed and the grid goes on with the other dataset" {
            use dir = new TempFolder()
            let clicks = dir.File "clicks.csv"
            File.WriteAllText(clicks, "user,page,click\nu1,a,1\nu2,b,2\n")
            let badCsv =
                Dataset.at "csv" clicks |> Dataset.with' "sparse" "user" |> Dataset.with' "label" "click" |> Dataset.with' "scenario" "page"
            let e =
                experiment "load failure" {
                    dataset badCsv
                    dataset (Dataset.synthetic |> Dataset.with' "rows" 600)
                    compare [ "BaseDNN" ]
                    seeds [ 1; 2 ]
                    epochs 1
                    resultsIn (dir.File "results")
                }
            let result = Execution.runWithOptions Execution.RunOptions.Default silent e
            Expect.equal (result.Trained, result.Failed) (2, 2) "the synthetic runs trained, the csv runs failed"
            for r in result.Records |> List.filter (fun r -> not r.IsCompleted) do
                Expect.equal r.Config.Dataset "csv" "the failed runs are the csv ones"
                Expect.stringContains r.Error "clicks.csv, line 3, field 'click': label must be 0 or 1, got '2'" "the reason names file, line and field"
            Expect.equal (recordFiles (dir.File "results")).Length 4 "every run recorded"
        }
        test "a corrupt record is reported, skipped by tables and retrained on resume; stale records are counted" {
            use dir = new TempFolder()
            let e = { withFailing dir.Path with Models = [ Model.named "BaseDNN" ] }
            let first = Execution.runWithOptions Execution.RunOptions.Default silent e
            let victim = first.Records.Head.RunId
            File.WriteAllText(dir.File(victim + ".json"), "{ \"schema_version\": 1, \"run_id\": \"trunc")
            File.WriteAllText(dir.File "synthetic-basednn-s1-000000000000.json",
                              File.ReadAllText(dir.File(first.Records.[1].RunId + ".json")).Replace(first.Records.[1].RunId, "synthetic-basednn-s1-000000000000"))
            let events = ResizeArray()
            let second = Execution.runWithOptions Execution.RunOptions.Default events.Add e
            let checkedEvent = events |> Seq.pick (function Execution.FolderChecked(stale, bad) -> Some(stale, bad) | _ -> None)
            Expect.equal (fst checkedEvent) 1 "one stale record (another configuration or code version)"
            Expect.equal ((snd checkedEvent) |> List.map (fun u -> u.File)) [ victim + ".json" ] "the corrupt file is named"
            Expect.equal (second.Stale, second.Trained, second.Resumed) (1, 1, 1) "the corrupt run is trained again"
            Expect.isEmpty (ResultStore(dir.Path).Scan().Unreadable) "rewritten"
            File.Delete(dir.File "synthetic-basednn-s1-000000000000.json") // a table refuses two records of one model and seed
            File.WriteAllText(dir.File "zz-broken.json", "not json")
            let table = Tables.summary (Tables.recordsIn dir.Path)
            Expect.stringContains table "BaseDNN" "the table is built from the readable records"
        }
        test "records written under the run ids of before content fingerprints are the runs' own: resumed, not trained again" {
            use dir = new TempFolder()
            let e = { withFailing dir.Path with Models = [ Model.named "BaseDNN" ] }
            let first = Execution.runWithOptions Execution.RunOptions.Default silent e
            let specs = Grid.compile e
            for spec in specs do
                let id, legacy = spec.RunId, spec.LegacyRunId
                Expect.notEqual legacy id "the v2 id differs"
                File.WriteAllText(dir.File(legacy + ".json"), File.ReadAllText(dir.File(id + ".json")).Replace(id, legacy))
                File.Delete(dir.File(id + ".json"))
            let second = Execution.runWithOptions Execution.RunOptions.Default silent e
            Expect.equal (second.Trained, second.Resumed, second.Stale) (0, 2, 0) "both runs found under their old ids"
            Expect.equal (second.Records |> List.map (fun r -> r.Test.Overall)) (first.Records |> List.map (fun r -> r.Test.Overall)) "their numbers"
            let claimed = Execution.runWithOptions { Execution.RunOptions.Default with Claim = true } silent e
            Expect.equal (claimed.Trained, claimed.Resumed) (0, 2) "claiming workers find them too"
        }
        test "a copy of the data in another folder, written at another time, resumes the same runs" {
            use dir = new TempFolder()
            let writeData folder =
                Directory.CreateDirectory(folder: string) |> ignore
                let rows = [ for i in 0 .. 799 -> sprintf "u%d,i%d,%s,%d" (i % 37) (i % 23) (if i % 3 = 0 then "a" else "b") ((i * 7 + i / 5) % 2) ]
                File.WriteAllLines(Path.Combine(folder, "clicks.csv"), "user,item,page,click" :: rows)
                folder
            let grid folder =
                experiment "portable" {
                    dataset (Dataset.at "csv" (Path.Combine(folder, "clicks.csv")) |> Dataset.with' "sparse" "user,item"
                             |> Dataset.with' "label" "click" |> Dataset.with' "scenario" "page")
                    compare [ "BaseDNN" ]
                    seeds [ 1 ]
                    epochs 1
                    resultsIn (dir.File "results")
                }
            let events = ResizeArray()
            let here = writeData (dir.File "here")
            let first = Execution.runWithOptions Execution.RunOptions.Default events.Add (grid here)
            Expect.equal first.Trained 1 "trained once"
            let fingerprinted = events |> Seq.choose (function Execution.Fingerprinting(p, bytes) -> Some(p, bytes) | _ -> None) |> List.ofSeq
            Expect.equal fingerprinted [ Path.Combine(here, "clicks.csv"), FileInfo(Path.Combine(here, "clicks.csv")).Length ] "new data is announced before it is read"
            events.Clear()
            Execution.runWithOptions { Execution.RunOptions.Default with DryRun = true } events.Add (grid here) |> ignore
            Expect.isFalse (events |> Seq.exists (function Execution.Fingerprinting _ -> true | _ -> false)) "remembered data is not read again"
            let elsewhere = writeData (dir.File "elsewhere")
            File.SetLastWriteTimeUtc(Path.Combine(elsewhere, "clicks.csv"), DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc))
            let second = Execution.runWithOptions Execution.RunOptions.Default silent (grid elsewhere)
            Expect.equal (second.Trained, second.Resumed) (0, 1) "the same data is the same run"
        }
        test "a grid killed inside a run continues that run from its epoch checkpoint, to the uninterrupted numbers" {
            use dir = new TempFolder()
            let e folder = { withFailing folder with Models = [ Model.named "BaseDNN" ]; Seeds = [ 1L ]; Training = [ "epochs", "3"; "batch_size", "128" ] }
            let whole = Execution.runWithOptions Execution.RunOptions.Default silent (e (dir.File "whole"))
            let killAfterFirstEpoch = function
                | Execution.EpochDone(_, _, _, ep) when ep.Epoch = 1 -> raise (OperationCanceledException())
                | _ -> ()
            Expect.throws (fun () -> Execution.runWithOptions Execution.RunOptions.Default killAfterFirstEpoch (e (dir.File "cut")) |> ignore)
                "the kill propagates"
            let store = ResultStore(dir.File "cut")
            let id = whole.Records.Head.RunId
            Expect.isTrue (File.Exists(store.CheckpointPathOf id)) "the run left its checkpoint"
            let events = ResizeArray()
            let resumed = Execution.runWithOptions Execution.RunOptions.Default events.Add (e (dir.File "cut"))
            let record = resumed.Records.Head
            Expect.equal record.Training.ResumedAfterEpoch (Nullable 1) "resumed after epoch 1"
            Expect.equal record.Test.Overall whole.Records.Head.Test.Overall "the uninterrupted run's test metrics"
            let restored = events |> Seq.choose (function Execution.EpochDone(_, _, _, ep) -> Some(ep.Epoch, ep.FromCheckpoint) | _ -> None) |> List.ofSeq
            Expect.equal restored [ 1, true; 2, false; 3, false ] "epoch 1 is reported from the checkpoint, 2 and 3 trained"
            Expect.isFalse (File.Exists(store.CheckpointPathOf id)) "the stored record removed the checkpoint"
        }
        test "progress reports batches inside epochs, epochs and runs in order" {
            use dir = new TempFolder()
            let events = ResizeArray()
            let e = { withFailing dir.Path with Models = [ Model.named "BaseDNN" ]; Seeds = [ 1L ]; Training = [ "epochs", "2"; "batch_size", "128" ] }
            Execution.runWithOptions Execution.RunOptions.Default events.Add e |> ignore
            let batches = events |> Seq.choose (function Execution.BatchDone(_, _, _, b) -> Some(b.Epoch, b.Batch, b.Batches) | _ -> None) |> List.ofSeq
            Expect.equal (batches |> List.filter (fun (ep, _, _) -> ep = 1) |> List.map (fun (_, b, _) -> b)) [ 1 .. 5 ] "640 rows / 128: five batches"
            Expect.isTrue (batches |> List.forall (fun (_, _, n) -> n = 5)) "batches per epoch"
            let kinds = events |> Seq.map (fun p -> (sprintf "%A" p).Split([| ' '; '\n' |]).[0]) |> Seq.distinct |> List.ofSeq
            Expect.equal kinds [ "GridStarted"; "DatasetLoaded"; "RunStarted"; "BatchDone"; "EpochDone"; "RunFinished" ] "event order"
            use text = new StringWriter()
            for p in events do Execution.printProgress text p
            let lines = text.ToString().Split('\n')
            Expect.equal (lines |> Array.filter (fun l -> l.Contains "epoch ") |> Array.length) 2 "one plain line per epoch, none per batch"
        }
        test "a dry run trains nothing and lists every run with its id and state" {
            use dir = new TempFolder()
            let e = { withFailing dir.Path with Models = [ Model.named "BaseDNN" ] }
            let events = ResizeArray()
            let dry = Execution.runWithOptions { Execution.RunOptions.Default with DryRun = true } events.Add e
            Expect.equal (dry.Trained, dry.NotRun) (0, 2) "nothing trained"
            Expect.isEmpty (recordFiles dir.Path) "nothing written"
            let planned = events |> Seq.choose (function Execution.Planned(_, _, s, id, state) -> Some(id, state) | _ -> None) |> List.ofSeq
            Expect.equal (planned |> List.map fst) (Grid.compile e |> List.map (fun s -> s.RunId)) "every run id"
            Expect.isTrue (planned |> List.forall (fun (_, s) -> s = "to run")) "all to run"
            let stopped = fst planned.Head
            File.WriteAllText(ResultStore(dir.Path).CheckpointPathOf stopped, "")
            events.Clear()
            Execution.runWithOptions { Execution.RunOptions.Default with DryRun = true } events.Add e |> ignore
            let states = events |> Seq.choose (function Execution.Planned(_, _, _, id, state) -> Some(id, state) | _ -> None) |> Map.ofSeq
            Expect.equal states.[stopped] "to resume" "a run with an epoch checkpoint continues"
        }
        test "shards are disjoint, cover the grid and depend only on the run id" {
            use dir = new TempFolder()
            let e = { withFailing dir.Path with Models = [ Model.named "BaseDNN"; Model.named "SharedBottom" ]; Seeds = [ 1L .. 4L ] }
            let ids = Grid.compile e |> List.map (fun s -> s.RunId)
            let shard i = Execution.runWithOptions { Execution.RunOptions.Default with Shard = Some(i, 3) } silent e
            let trained = [ for i in 1 .. 3 -> (shard i).Outcomes |> List.choose (function Execution.Trained r -> Some r.RunId | _ -> None) ]
            Expect.equal (List.concat trained |> List.sort) (List.sort ids) "each run in exactly one shard"
            for i, share in List.indexed trained do
                for id in share do Expect.equal (Execution.shardOf id 3) i "stable assignment"
            Expect.throwsT<ArgumentException> (fun () -> Execution.parseShard "4/3" |> ignore) "shard out of range"
        }
        test "msr predict writes the run's test rows; their metrics are the record's" {
            use dir = new TempFolder()
            let results = dir.File "results"
            use out = new StringWriter()
            use err = new StringWriter()
            let train = [| "train"; "-d"; "synthetic"; "-m"; "sharedbottom"; "--epochs"; "1"; "--batch-size"; "128"; "--data"; "rows=700"; "--results"; results |]
            Expect.equal (Msr.Cli.Program.execute train out err) 0 (err.ToString())
            let recordFile = Directory.GetFiles(results, "*.json") |> Array.exactlyOne
            let record = ResultStore.Read recordFile
            let csv = dir.File "p.csv"
            Expect.equal (Msr.Cli.Program.execute [| "predict"; recordFile; "-o"; csv; "--no-cache" |] out err) 0 (err.ToString())
            let rows = File.ReadAllLines csv
            Expect.equal rows.[0] "row,scenario,label,probability" "header"
            let cells = rows |> Array.skip 1 |> Array.map (fun l -> l.Split ',')
            Expect.equal (int64 cells.Length) record.Test.Overall.Rows "one line per test row"
            let p = cells |> Array.map (fun c -> Double.Parse(c.[3], Globalization.CultureInfo.InvariantCulture))
            let y = cells |> Array.map (fun c -> Single.Parse(c.[2], Globalization.CultureInfo.InvariantCulture))
            Expect.equal (Msr.Core.Metrics.Auc.Compute(ReadOnlySpan<float> p, ReadOnlySpan<float32> y)) record.Test.Overall.Auc "same AUC, exactly"
            let code = Msr.Cli.Program.execute [| "predict"; recordFile; "--split"; "bogus"; "-o"; csv |] out err
            Expect.equal code 2 "bad split"
            Expect.stringContains (err.ToString()) "test, validation, train" "lists the splits"
            let onCpu = dir.File "cpu.csv"
            Expect.equal (Msr.Cli.Program.execute [| "predict"; recordFile; "-o"; onCpu; "--no-cache"; "--device"; "cpu" |] out err) 0 (err.ToString())
            Expect.equal (File.ReadAllText onCpu) (File.ReadAllText csv) "--device cpu is the default"
            use err2 = new StringWriter()
            Expect.equal (Msr.Cli.Program.execute [| "predict"; recordFile; "-o"; onCpu; "--device"; "tpu" |] out err2) 2 "bad device"
            Expect.stringContains (err2.ToString()) "valid devices: cpu, cuda, cuda:N, auto" "lists the devices"
        }
        test "msr predict finds a moved dataset with --path and says so when the recorded path is gone" {
            use dir = new TempFolder()
            let clicks = dir.File "clicks.csv"
            let rng = Random 7
            let lines = [ for i in 1 .. 600 -> let u = rng.Next 40 in sprintf "u%d,%s,%d" u (if i % 2 = 0 then "a" else "b") (if u < 20 then 1 else 0) ]
            File.WriteAllLines(clicks, "user,page,click" :: lines)
            let results = dir.File "results"
            use out = new StringWriter()
            use err = new StringWriter()
            let train = [| "train"; "-d"; "csv"; "--path"; clicks; "--data"; "sparse=user"; "--data"; "label=click"; "--data"; "scenario=page"
                           "-m"; "sharedbottom"; "--epochs"; "1"; "--batch-size"; "128"; "--results"; results |]
            Expect.equal (Msr.Cli.Program.execute train out err) 0 (err.ToString())
            let recordFile = Directory.GetFiles(results, "*.json") |> Array.exactlyOne
            let before, after = dir.File "before.csv", dir.File "after.csv"
            Expect.equal (Msr.Cli.Program.execute [| "predict"; recordFile; "-o"; before; "--no-cache" |] out err) 0 (err.ToString())
            let moved = dir.File "moved.csv"
            File.Move(clicks, moved)
            use err2 = new StringWriter()
            Expect.equal (Msr.Cli.Program.execute [| "predict"; recordFile; "-o"; after; "--no-cache" |] out err2) 2 "the recorded dataset is gone"
            Expect.stringContains (err2.ToString()) "clicks.csv' does not exist" "names the recorded path"
            Expect.stringContains (err2.ToString()) "--path" "and how to point at the data"
            use err3 = new StringWriter()
            Expect.equal (Msr.Cli.Program.execute [| "predict"; recordFile; "-o"; after; "--no-cache"; "--path"; moved |] out err3) 0 (err3.ToString())
            Expect.equal (File.ReadAllText after) (File.ReadAllText before) "the same predictions from the moved files"
            use err4 = new StringWriter()
            Expect.equal (Msr.Cli.Program.execute [| "predict"; recordFile; "-o"; after; "--path"; dir.File "nowhere.csv" |] out err4) 2 "a wrong --path"
            Expect.stringContains (err4.ToString()) "nowhere.csv' does not exist" "names it"
        }
        test "msr slurm writes a job-array script whose tasks claim runs" {
            use dir = new TempFolder()
            let script = dir.File "grid.fsx"
            File.WriteAllText(script, "// a grid\n")
            use out = new StringWriter()
            use err = new StringWriter()
            let job = dir.File "job.sh"
            let code = Msr.Cli.Program.execute [| "slurm"; script; "--array-size"; "8"; "--cpus"; "2"; "--lease-timeout"; "120"; "-o"; job |] out err
            Expect.equal code 0 (err.ToString())
            let text = File.ReadAllText job
            for s in [ "#!/bin/bash"; "#SBATCH --array=1-8"; "#SBATCH --cpus-per-task=2"; "msr.dll' run '" + script + "' --claim --lease-timeout 120" ] do
                Expect.stringContains text s "in the job script"
            let bash = Diagnostics.Process.Start(Diagnostics.ProcessStartInfo("bash", [ "-n"; job ]))
            bash.WaitForExit()
            Expect.equal bash.ExitCode 0 "valid bash"
            Expect.equal (Msr.Cli.Program.execute [| "slurm"; script; "--array-size"; "0" |] out err) 2 "at least one task"
        }
        test "msr slurm refuses a malformed plan and impossible resources before writing a job" {
            use dir = new TempFolder()
            let plan = dir.File "plan.json"
            File.WriteAllText(plan, """{ "title": "t", "models": [ """)
            let slurm (args: string list) =
                use out = new StringWriter()
                use err = new StringWriter()
                let code = Msr.Cli.Program.execute (Array.ofList ("slurm" :: "--array-size" :: "2" :: "-o" :: dir.File "job.sh" :: args)) out err
                code, err.ToString()
            let code, err = slurm [ plan ]
            Expect.equal code 2 "a malformed plan is bad input"
            Expect.stringContains err (plan + ": not valid JSON") "names the plan"
            File.WriteAllText(plan, """{ "title": "t", "datasets": [ { "name": "synthetic" } ], "models": [ { "name": "STAR" } ], "seeds": [ 1 ] }""")
            for args, expected in
                [ [ "--cpus"; "0" ], "--cpus must be at least 1, got 0"
                  [ "--mem"; "lots" ], "--mem 'lots' is not a Slurm memory size"
                  [ "--time"; "24h" ], "--time '24h' is not a Slurm time limit" ] do
                let code, err = slurm (plan :: args)
                Expect.equal code 2 (sprintf "%A: exit 2" args)
                Expect.stringContains err expected "says what is wrong"
            Expect.isFalse (File.Exists(dir.File "job.sh")) "no job script written"
            let code, err = slurm [ plan; "--mem"; "8g"; "--time"; "2-12:00" ]
            Expect.equal code 0 err
        }
    ]
