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

/// The job script's text.
let script (target: string) (args: ParseResults<SlurmArgs>) =
    let tasks = args.GetResult Array_Size
    if tasks < 1 then invalidArg "array-size" (sprintf "--array-size must be at least 1, got %d" tasks)
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
