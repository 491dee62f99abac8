/// Command-line arguments of the experiment scripts (`dotnet fsi script.fsx -- a b --flag value`):
/// flags with values, and the positional arguments left over. `#load "ScriptArgs.fsx"` to use it.
module ScriptArgs

/// The script's own arguments (after `--`).
let all = fsi.CommandLineArgs |> Array.skip 1 |> List.ofArray

/// The value after `name` (e.g. "--results"), or the fallback.
let rec text name fallback = function
    | flag :: value :: _ when flag = name -> value
    | _ :: rest -> text name fallback rest
    | [] -> fallback

/// An integer flag; a value that is not an integer stops the script with a message naming the flag.
let number name (fallback: int) args =
    let value = text name (string fallback) args
    match System.Int32.TryParse value with
    | true, n -> n
    | _ -> failwithf "%s expects an integer, got '%s'" name value

/// The arguments that are neither a `--flag` nor its value.
let rec positionals = function
    | (flag: string) :: _ :: rest when flag.StartsWith "--" -> positionals rest
    | value :: rest -> value :: positionals rest
    | [] -> []

/// Whether a flag without a value is present (e.g. "--samples").
let has name args = List.contains name args

/// A comma-separated list flag ("--models SharedBottom,STAR"), or the fallback.
let names name (fallback: string list) args =
    match text name "" args with
    | "" -> fallback
    | value -> value.Split(',', System.StringSplitOptions.RemoveEmptyEntries ||| System.StringSplitOptions.TrimEntries) |> List.ofArray

/// A dataset's location: `--<flag> PATH`, else the environment variable `env`, else None.
let dataPath (flag: string) (env: string) args =
    match text flag "" args with
    | "" -> match System.Environment.GetEnvironmentVariable env with null | "" -> None | p -> Some p
    | p -> Some p

/// `sub` under the nearest `shared/data` folder above the checkout (a lab's read-only copies of public data), if any.
let sharedData (sub: string) =
    let rec up (d: System.IO.DirectoryInfo) =
        if isNull d then None
        else
            let p = System.IO.Path.Combine(d.FullName, "shared", "data", sub)
            if System.IO.Directory.Exists p then Some p else up d.Parent
    up (System.IO.DirectoryInfo(System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "..")))
