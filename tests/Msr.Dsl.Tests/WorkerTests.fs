/// Real worker processes of the built CLI (`msr run grid.fsx [--claim]`) on one results folder, killed with SIGKILL.
module Msr.Dsl.Tests.WorkerTests

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open Expecto
open Msr.Core.Results
open Msr.Dsl
open Msr.Dsl.Tests.RunnerTests

let private root =
    let rec up (d: DirectoryInfo) = if File.Exists(Path.Combine(d.FullName, "Msr.sln")) then d.FullName else up d.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

let private cliFolder = Path.Combine(root, "dsl", "Msr.Cli", "bin", "Release", "net10.0")

/// The grid every worker runs: 2 models × 3 seeds on tiny synthetic data, one libtorch thread each.
let private grid folder =
    experiment "workers" {
        dataset (Dataset.synthetic |> Dataset.with' "rows" 3000)
        compare [ "BaseDNN"; "SharedBottom" ]
        seeds [ 1; 2; 3 ]
        epochs 2
        batchSize 128
        threads 1
        resultsIn folder
    }

/// The same grid as a script for `msr run` (the .fsx route: Execution.run reads MSR_CLAIM and MSR_LEASE_SECONDS).
let private writeScript (dir: TempFolder) (results: string) =
    let script = dir.File "grid.fsx"
    File.WriteAllText(script, String.concat "\n" [
        sprintf "#I %s" (Text.Json.JsonSerializer.Serialize cliFolder)
        "#r \"TorchSharp.dll\""
        "#r \"Msr.Core.dll\""
        "#r \"Msr.Dsl.dll\""
        "open Msr.Dsl"
        "let e ="
        "    experiment \"workers\" {"
        "        dataset (Dataset.synthetic |> Dataset.with' \"rows\" 3000)"
        "        compare [ \"BaseDNN\"; \"SharedBottom\" ]"
        "        seeds [ 1; 2; 3 ]"
        "        epochs 2"
        "        batchSize 128"
        "        threads 1"
        sprintf "        resultsIn %s" (Text.Json.JsonSerializer.Serialize results)
        "    }"
        "Execution.run e |> ignore" ])
    script

/// A running worker: its process (a `dotnet fsi` child underneath) and the lines it printed so far.
type private Worker(args: string list) =
    let lines = ConcurrentQueue<string>()
    let info = ProcessStartInfo("dotnet", [ yield Path.Combine(cliFolder, "msr.dll"); yield! args ], RedirectStandardOutput = true,
                                RedirectStandardError = true, UseShellExecute = false)
    let p = Process.Start info
    do
        p.OutputDataReceived.Add(fun e -> if not (isNull e.Data) then lines.Enqueue e.Data)
        p.ErrorDataReceived.Add(fun e -> if not (isNull e.Data) then lines.Enqueue("stderr: " + e.Data))
        p.BeginOutputReadLine()
        p.BeginErrorReadLine()
    member _.Lines = List.ofSeq lines
    member _.Process = p
    /// SIGKILL to the worker and its script process.
    member _.Kill() = p.Kill(entireProcessTree = true)
    member _.Wait(seconds: float) =
        if not (p.WaitForExit(TimeSpan.FromSeconds seconds)) then
            p.Kill true
            failwithf "worker did not finish in %.0f s:\n%s" seconds (String.Join("\n", lines))
        p.WaitForExit()
        p.ExitCode
    interface IDisposable with
        member _.Dispose() =
            if not p.HasExited then p.Kill true
            p.Dispose()

let private started = Regex(@"^\s+\[\d+/\d+\] \S+ · seed .*  (\S+)$")
let private finished = Regex(@"^\s+\[\d+/\d+\] done (\S+):")

let private startedRun (w: Worker) = w.Lines |> List.tryPick (fun l -> let m = started.Match l in if m.Success then Some m.Groups.[1].Value else None)
let private doneRuns (w: Worker) = w.Lines |> List.choose (fun l -> let m = finished.Match l in if m.Success then Some m.Groups.[1].Value else None)

let rec private waitFor (timeoutSeconds: float) (condition: unit -> 'a option) =
    let clock = Stopwatch.StartNew()
    let rec loop () =
        match condition () with
        | Some x -> x
        | None when clock.Elapsed.TotalSeconds > timeoutSeconds -> failwithf "condition not met in %.0f s" timeoutSeconds
        | None ->
            Threading.Thread.Sleep 20
            loop ()
    loop ()

/// Every run of the grid has exactly one readable record, and nothing is left behind (leases, temporary files).
let private expectComplete (results: string) =
    let ids = Grid.compile (grid results) |> List.map (fun s -> s.RunId)
    let contents = ResultStore(results).Scan()
    Expect.isEmpty contents.Unreadable "no corrupt record"
    Expect.equal (contents.Records |> Seq.map (fun r -> r.RunId) |> Seq.sort |> List.ofSeq) (List.sort ids) "every run recorded once"
    Expect.isTrue (contents.Records |> Seq.forall (fun r -> r.IsCompleted)) "all completed"
    Expect.isEmpty (Directory.GetFiles(results, "*.lease*")) "no lease left"
    Expect.isEmpty (Directory.GetFiles(results, "*.tmp")) "no temporary file left"

[<Tests>]
let workers =
    let built = File.Exists(Path.Combine(cliFolder, "msr.dll"))
    testList "workers sharing a results folder" [
        (if built then test else ptest) "three claiming workers, one killed mid-run: the grid completes, every run exactly once" {
            use dir = new TempFolder()
            let results = dir.File "results"
            let script = writeScript dir results
            let args = [ "run"; script; "--claim"; "--lease-timeout"; "2" ]
            use a = new Worker(args)
            use b = new Worker(args)
            use c = new Worker(args)
            let all = [ a; b; c ]
            // Kill whichever worker starts a run first, while it trains it.
            let victim, killedRun = waitFor 240.0 (fun () -> all |> List.tryPick (fun w -> startedRun w |> Option.map (fun id -> w, id)))
            victim.Kill()
            let survivors = all |> List.filter (fun w -> not (obj.ReferenceEquals(w, victim)))
            for w in survivors do Expect.equal (w.Wait 240.0) 0 (String.Join("\n", w.Lines))
            expectComplete results
            let doneBy = survivors |> List.collect doneRuns
            let allDone = doneBy @ doneRuns victim
            Expect.equal (allDone |> List.distinct |> List.length) allDone.Length "no run finished twice"
            Expect.contains doneBy killedRun "the killed worker's run was taken over"
        }
        (if built then test else ptest) "a single worker killed mid-grid resumes where it stopped" {
            use dir = new TempFolder()
            let results = dir.File "results"
            let script = writeScript dir results
            use w = new Worker([ "run"; script ])
            // Kill during the second run, after the first was recorded.
            waitFor 240.0 (fun () -> if w.Lines |> List.filter started.IsMatch |> List.length >= 2 then Some() else None)
            w.Kill()
            w.Process.WaitForExit()
            let recorded = ResultStore(results).Scan()
            Expect.isEmpty recorded.Unreadable "no corrupt record after SIGKILL"
            Expect.isGreaterThanOrEqual recorded.Records.Count 1 "the first run was kept"
            // In this process libtorch's thread count is the core count (set once per process): same grid, same ids.
            let resumed = Execution.runWithOptions Execution.RunOptions.Default ignore { grid results with Threads = None }
            Expect.equal resumed.Resumed recorded.Records.Count "finished runs are not retrained"
            Expect.equal (resumed.Trained + resumed.Resumed) 6 "the rest is trained"
            expectComplete results
        }
    ]
