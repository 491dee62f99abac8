/// `msr slurm <plan|script> --array-size N`: a Slurm job-array script whose every task runs
/// `msr run <plan|script> --claim`, so the tasks share the grid through leases in the results folder.
module Msr.Cli.SlurmCommand

open System
open System.IO
open System.Reflection
open Argu

type SlurmArgs =
    | [<MainCommand; ExactlyOnce>] Target of ``plan.json|script.fsx``: string
    | [<Mandatory>] Array_Size of tasks: int
    | [<AltCommandLine("-o")>] Output of file: string
    | Job_Name of name: string
    | Time of ``hh:mm:ss``: string
    | Cpus of count: int
    | Mem of size: string
    | Partition of name: string
    | Lease_Timeout of seconds: float
    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Target _ -> "the grid: a plan file (plan.json) or an experiment script (.fsx)"
            | Array_Size _ -> "number of array tasks (workers); each claims runs until the grid is done"
            | Output _ -> "write the job script to FILE (default: standard output)"
            | Job_Name _ -> "Slurm job name (default msr-<plan name>)"
            | Time _ -> "time limit per task (default 24:00:00)"
            | Cpus _ -> "CPU cores per task (default 4)"
            | Mem _ -> "memory per task, e.g. 16G (default 16G)"
            | Partition _ -> "Slurm partition (default: the cluster's default)"
            | Lease_Timeout _ -> "seconds after which a dead task's run is taken over (default 300)"

/// Single-quotes a word for bash.
let private quote (s: string) = "'" + s.Replace("'", "'\\''") + "'"

/// Slurm's --mem: a whole number with an optional unit (K, M, G, T; M when none).
let private memoryPattern = Text.RegularExpressions.Regex(@"^\d+[KMGT]?$", Text.RegularExpressions.RegexOptions.IgnoreCase)

/// Slurm's --time forms: minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]], or unlimited.
let private timePattern =
    Text.RegularExpressions.Regex(@"^(\d+|\d+:\d+|\d+:\d+:\d+|\d+-\d+(:\d+){0,2}|unlimited|infinite)$", Text.RegularExpressions.RegexOptions.IgnoreCase)

/// Checks what sbatch would only reject once the job is queued, or what the tasks would fail on one by one.
let private checkRequest (target: string) (args: ParseResults<SlurmArgs>) =
    match args.TryGetResult Cpus with
    | Some n when n < 1 -> invalidArg "cpus" (sprintf "--cpus must be at least 1, got %d" n)
    | _ -> ()
    match args.TryGetResult Mem with
    | Some m when not (memoryPattern.IsMatch m) -> invalidArg "mem" (sprintf "--mem '%s' is not a Slurm memory size: a whole number with K, M, G or T, e.g. 16G" m)
    | _ -> ()
    match args.TryGetResult Time with
    | Some t when not (timePattern.IsMatch t) ->
        invalidArg "time" (sprintf "--time '%s' is not a Slurm time limit: hh:mm:ss, mm, mm:ss, d-hh[:mm[:ss]] or unlimited" t)
    | _ -> ()
    // A plan is read now: a malformed one would otherwise fail in every array task after the job waited in the queue.
    if Path.GetExtension(target).Equals(".json", StringComparison.OrdinalIgnoreCase) then
        Msr.Dsl.PlanFile.load target |> Msr.Dsl.Grid.validate |> ignore

/// The job script's text.
let script (target: string) (args: ParseResults<SlurmArgs>) =
    let tasks = args.GetResult Array_Size
    if tasks < 1 then invalidArg "array-size" (sprintf "--array-size must be at least 1, got %d" tasks)
    checkRequest target args
    let name = args.GetResult(Job_Name, defaultValue = "msr-" + Path.GetFileNameWithoutExtension target)
    let msrDll = Assembly.GetEntryAssembly() |> Option.ofObj |> Option.map (fun a -> a.Location) |> Option.filter (fun l -> l.EndsWith "msr.dll")
                 |> Option.defaultValue (Path.Combine(AppContext.BaseDirectory, "msr.dll"))
    let lease = args.TryGetResult Lease_Timeout |> Option.map (fun s -> sprintf " --lease-timeout %g" s) |> Option.defaultValue ""
    String.concat "\n" [
        "#!/bin/bash"
        sprintf "#SBATCH --job-name=%s" name
        sprintf "#SBATCH --array=1-%d" tasks
        sprintf "#SBATCH --cpus-per-task=%d" (args.GetResult(Cpus, defaultValue = 4))
        sprintf "#SBATCH --mem=%s" (args.GetResult(Mem, defaultValue = "16G"))
        sprintf "#SBATCH --time=%s" (args.GetResult(Time, defaultValue = "24:00:00"))
        yield! args.TryGetResult Partition |> Option.map (sprintf "#SBATCH --partition=%s") |> Option.toList
        "#SBATCH --output=slurm-%x-%A_%a.out"
        "# Written by `msr slurm`. Every task runs the whole grid with --claim: it takes the next run nobody holds"
        "# (a lease file in the results folder, renewed while it trains), so no run is done twice and a run of a"
        "# task that dies is taken over once its lease expires. The results folder must be on a shared file system."
        "set -euo pipefail"
        sprintf "cd %s" (quote (Directory.GetCurrentDirectory()))
        sprintf "exec dotnet %s run %s --claim%s" (quote msrDll) (quote (Path.GetFullPath target)) lease
        "" ]

/// Runs `msr slurm`; returns the exit code.
let run (out: TextWriter) (args: ParseResults<SlurmArgs>) =
    let target = args.GetResult Target
    if not (File.Exists target) then raise (FileNotFoundException(sprintf "'%s' does not exist" target))
    let text = script target args
    match args.TryGetResult Output with
    | Some file ->
        File.WriteAllText(file, text)
        fprintfn out "wrote %s: %d array tasks; submit with: sbatch %s" file (args.GetResult Array_Size) file
    | None -> out.Write text
    0
