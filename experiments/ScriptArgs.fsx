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
