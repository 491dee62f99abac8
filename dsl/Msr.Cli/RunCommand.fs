/// `msr run <plan.json|script.fsx>`: executes a grid, whole or in part (a shard, or as one of several workers
/// claiming runs from a shared results folder), or shows what it would do (--dry-run).
module Msr.Cli.RunCommand

open System
open System.Diagnostics
open System.IO
open Argu
open Msr.Dsl

type RunArgs =
    | [<MainCommand; ExactlyOnce>] Target of ``plan.json|script.fsx``: string
    | Dry_Run
    | Shard of ``i/n``: string
    | Claim
    | Lease_Timeout of seconds: float
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Target _ -> "the grid: a plan file (plan.json) or an experiment script (.fsx) calling Execution.run"
            | Dry_Run -> "list the runs, their ids and which are done; train nothing"
            | Shard _ -> "run only share i of n (1-based), chosen by a hash of each run id: stable across machines and runs"
            | Claim -> "share the results folder with other workers: claim each run with a lease first (no run done twice; a dead worker's run is taken over)"
            | Lease_Timeout _ -> "seconds after which a lease nobody renews is taken over (default 300)"

/// The options a command line asks for (also passed to scripts through the environment).
let options (args: ParseResults<RunArgs>) : Execution.RunOptions =
    { DryRun = args.Contains Dry_Run
      Shard = args.TryGetResult Shard |> Option.map Execution.parseShard
      Claim = args.Contains Claim
      LeaseTimeout =
        match args.TryGetResult Lease_Timeout with
        | Some s when s > 0.0 -> TimeSpan.FromSeconds s
        | Some s -> invalidArg "lease-timeout" (sprintf "--lease-timeout must be a positive number of seconds, got %g" s)
        | None -> Execution.RunOptions.Default.LeaseTimeout }

/// The environment that makes `Execution.run` inside a script honour the options.
let environment (o: Execution.RunOptions) =
    [ "MSR_DRY_RUN", (if o.DryRun then "1" else "")
      "MSR_SHARD", (o.Shard |> Option.map (fun (i, n) -> sprintf "%d/%d" i n) |> Option.defaultValue "")
      "MSR_CLAIM", (if o.Claim then "1" else "")
      "MSR_LEASE_SECONDS", o.LeaseTimeout.TotalSeconds.ToString(Globalization.CultureInfo.InvariantCulture) ]

/// The dotnet host running this process (so a script runs under the same SDK), else `dotnet` from PATH.
let private dotnetHost () =
    match Environment.ProcessPath with
    | null -> "dotnet"
    | path when Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase) -> path
    | _ -> "dotnet"

let private runScript (script: string) (o: Execution.RunOptions) =
    let info = ProcessStartInfo(dotnetHost (), [ "fsi"; "--quiet"; script ], UseShellExecute = false)
    for k, v in environment o do info.Environment.[k] <- v
    use p = Process.Start info
    p.WaitForExit()
    p.ExitCode

let private runPlan (out: TextWriter) (plan: string) (o: Execution.RunOptions) =
    let e = PlanFile.load plan
    let work progress = Execution.runWithOptions o progress e
    let result = if obj.ReferenceEquals(out, Console.Out) then Execution.onConsole work else work (Execution.printProgress out)
    if o.DryRun then
        let toRun = result.Outcomes |> List.filter (function Execution.NotRun(_, "dry run") -> true | _ -> false) |> List.length
        fprintfn out "dry run: %d runs, %d recorded, %d to run%s; nothing trained" result.Outcomes.Length result.Records.Length toRun
            (if result.Stale > 0 then sprintf ", %d stale record(s) ignored" result.Stale else "")
    else
        fprintfn out "%d trained, %d already recorded, %d failed, %d left to other workers or shards; %d stale record(s) ignored; results in %s"
            result.Trained result.Resumed result.Failed result.NotRun result.Stale result.Folder
        let completed = result.Records |> List.filter (fun r -> r.IsCompleted)
        if not completed.IsEmpty then fprintfn out "\n%s" (Tables.summary result.Records)
    // A grid with failed runs is incomplete: every other run was still trained and recorded, but a script or CI job
    // must not read the exit code as "all results are in". Failed records kept from earlier invocations count too.
    let failed = result.Records |> List.filter (fun r -> not r.IsCompleted)
    if o.DryRun || failed.IsEmpty then 0
    else
        fprintfn out "\n%d run(s) of this grid are recorded as failed (exit 1); their records say why: %s"
            failed.Length (failed |> List.map (fun r -> r.RunId) |> String.concat ", ")
        1

/// Runs `msr run`; returns the exit code (a script's own exit code for .fsx).
let run (out: TextWriter) (args: ParseResults<RunArgs>) =
    let target = args.GetResult Target
    if not (File.Exists target) then raise (FileNotFoundException(sprintf "'%s' does not exist" target))
    let o = options args
    match Path.GetExtension(target).ToLowerInvariant() with
    | ".fsx" -> runScript target o
    | ".json" -> runPlan out target o
    | other -> invalidArg "target" (sprintf "'%s': expected a plan (.json) or an experiment script (.fsx), not '%s'" target other)
