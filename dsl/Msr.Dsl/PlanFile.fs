/// An experiment as a JSON file (`msr run plan.json`), so a grid can be run, sharded or checked without F#.
///
/// ```json
/// { "title": "Table 3 on KuaiRand",
///   "datasets": [ { "name": "kuairand", "path": "/data/kuairand", "options": { "top_k": "3" } } ],
///   "models": [ { "name": "MMoE", "options": { "experts": "4" } }, { "name": "STAR" } ],
///   "sweeps": [ { "option": "tower_dims", "values": [ "[8]", "[16,8]" ], "models": [ "MMoE" ] } ],
///   "seeds": [ 2022, 2023 ], "training": { "epochs": "5" },
///   "results": "results/t3", "cache": null, "threads": 4 }
/// ```
/// Option values may be written as strings, numbers, booleans or lists (`[16, 8]` reads as "[16,8]"). A missing
/// "cache" means the default cache folder; `null` means no cache.
module Msr.Dsl.PlanFile

open System
open System.Globalization
open System.IO
open System.Text.Json
open System.Text.Json.Nodes

let private fields = [ "title"; "datasets"; "models"; "sweeps"; "seeds"; "training"; "results"; "cache"; "threads" ]

/// Reads fields of a parsed plan, collecting every problem (named by its JSON path) instead of stopping at the first.
type private Reader(file: string) =
    let problems = Collections.Generic.List<string>()
    member _.Problems = List.ofSeq problems
    member _.Fail(path: string, expected: string, node: JsonNode) =
        let got = if isNull node then "null" else node.ToJsonString()
        problems.Add(sprintf "%s: field '%s' must be %s (got %s)" file path expected got)

    /// A scalar as option text: strings as they are, numbers as written, booleans as true/false, lists as [a,b].
    member this.Value(path: string, node: JsonNode) : string option =
        match node with
        | :? JsonValue as v ->
            match v.GetValueKind() with
            | JsonValueKind.String -> Some(v.GetValue<string>())
            | JsonValueKind.Number -> Some(v.ToJsonString())
            | JsonValueKind.True -> Some "true"
            | JsonValueKind.False -> Some "false"
            | _ -> this.Fail(path, "a string, number, boolean or list", node); None
        | :? JsonArray as a ->
            let items = a |> Seq.mapi (fun i x -> this.Value(sprintf "%s[%d]" path i, x)) |> List.ofSeq
            if items |> List.forall Option.isSome then Some("[" + String.Join(",", items |> List.map Option.get) + "]") else None
        | _ -> this.Fail(path, "a string, number, boolean or list", node); None

    member this.Text(path: string, node: JsonNode) : string option =
        match node with
        | :? JsonValue as v when v.GetValueKind() = JsonValueKind.String -> Some(v.GetValue<string>())
        | _ -> this.Fail(path, "a string", node); None

    member this.Int64(path: string, node: JsonNode) : int64 option =
        match node with
        | :? JsonValue as v when v.GetValueKind() = JsonValueKind.Number ->
            match Int64.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
            | true, n -> Some n
            | _ -> this.Fail(path, "an integer", node); None
        | _ -> this.Fail(path, "an integer", node); None

    member this.Options(path: string, node: JsonNode) : (string * string) list =
        match node with
        | null -> []
        | :? JsonObject as o -> [ for kv in o do match this.Value(sprintf "%s.%s" path kv.Key, kv.Value) with Some v -> kv.Key, v | None -> () ]
        | _ -> this.Fail(path, "an object of option names and values", node); []

    member this.Items(path: string, node: JsonNode, read: string -> JsonNode -> 'T option) : 'T list =
        match node with
        | null -> []
        | :? JsonArray as a -> a |> Seq.mapi (fun i x -> read (sprintf "%s[%d]" path i) x) |> Seq.choose id |> List.ofSeq
        | _ -> this.Fail(path, "a list", node); []

    /// An object with only the given fields (an unknown one is a typo, reported with the valid ones).
    member this.Object(path: string, node: JsonNode, known: string list) : JsonObject option =
        match node with
        | :? JsonObject as o ->
            for kv in o do
                if not (List.contains kv.Key known) then
                    problems.Add(sprintf "%s: unknown field '%s%s'; valid fields: %s" file (if path = "" then "" else path + ".") kv.Key (String.Join(", ", known)))
            Some o
        | _ -> this.Fail((if path = "" then "(top level)" else path), "an object", node); None

let private field (o: JsonObject) (name: string) : JsonNode = if o.ContainsKey name then o.[name] else null

let private dataset (r: Reader) path node : DatasetRef option =
    r.Object(path, node, [ "name"; "path"; "options" ])
    |> Option.bind (fun o ->
        let name = r.Text(path + ".name", field o "name")
        let filePath = match field o "path" with null -> Some None | p -> r.Text(path + ".path", p) |> Option.map Some
        match name, filePath with
        | Some n, Some p -> Some { Name = n; Path = p; Options = r.Options(path + ".options", field o "options") }
        | _ -> None)

let private model (r: Reader) path node : ModelRef option =
    r.Object(path, node, [ "name"; "options" ])
    |> Option.bind (fun o ->
        r.Text(path + ".name", field o "name") |> Option.map (fun n -> { Name = n; Options = r.Options(path + ".options", field o "options") }))

let private sweep (r: Reader) path node : Sweep option =
    r.Object(path, node, [ "option"; "values"; "models" ])
    |> Option.bind (fun o ->
        r.Text(path + ".option", field o "option")
        |> Option.map (fun option ->
            { Option = option
              Values = r.Items(path + ".values", field o "values", fun p n -> r.Value(p, n))
              Models = r.Items(path + ".models", field o "models", fun p n -> r.Text(p, n)) }))

/// Reads a plan written by `save` (or by hand); a malformed file is an ExperimentError naming the file and every bad field.
let load (path: string) : Experiment =
    let invalid problems = raise (ExperimentError(path, problems))
    if not (File.Exists path) then invalid [ sprintf "plan file '%s' not found" path ]
    let root =
        try
            JsonNode.Parse(File.ReadAllText path, documentOptions = JsonDocumentOptions(CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true))
        with :? JsonException as ex -> invalid [ sprintf "%s: not valid JSON: %s" path ex.Message ]
    let r = Reader(path)
    match r.Object("", root, fields) with
    | None -> invalid r.Problems
    | Some o ->
        let title = match field o "title" with null -> (r.Fail("title", "the experiment's title", null); None) | t -> r.Text("title", t)
        let plan =
            { Title = defaultArg title ""
              Datasets = r.Items("datasets", field o "datasets", dataset r)
              Models = r.Items("models", field o "models", model r)
              Sweeps = r.Items("sweeps", field o "sweeps", sweep r)
              Seeds = r.Items("seeds", field o "seeds", fun p n -> r.Int64(p, n))
              Training = r.Options("training", field o "training")
              ResultsFolder = match field o "results" with null -> None | n -> r.Text("results", n)
              CacheFolder =
                if not (o.ContainsKey "cache") then Some Msr.Core.Experiments.LoadedDataset.DefaultCacheDirectory
                else match field o "cache" with null -> None | n -> r.Text("cache", n)
              Threads =
                match field o "threads" with
                | null -> None
                | n -> r.Int64("threads", n) |> Option.map int }
        match r.Problems with
        | [] -> plan
        | ps -> invalid ps

let private options (pairs: (string * string) list) =
    // A key given twice means its last value (as the grid reads it); JSON objects hold each key once.
    let o = JsonObject()
    for k, v in pairs do o.[k] <- JsonValue.Create v
    o :> JsonNode

let private strings (xs: string list) = JsonArray([| for x in xs -> JsonValue.Create x :> JsonNode |]) :> JsonNode

let private obj (members: (string * JsonNode) list) =
    let o = JsonObject()
    for k, v in members do o.[k] <- v
    o :> JsonNode

let private text (s: string) = JsonValue.Create s :> JsonNode

/// Writes the experiment as JSON (atomically: a reader never sees half a plan).
let save (path: string) (e: Experiment) : unit =
    let optional (x: string option) : JsonNode = match x with Some s -> text s | None -> null
    let root =
        obj [ "title", text e.Title
              "datasets", JsonArray([| for d in e.Datasets -> obj [ "name", text d.Name; "path", optional d.Path; "options", options d.Options ] |])
              "models", JsonArray([| for m in e.Models -> obj [ "name", text m.Name; "options", options m.Options ] |])
              "sweeps", JsonArray([| for s in e.Sweeps -> obj [ "option", text s.Option; "values", strings s.Values; "models", strings s.Models ] |])
              "seeds", JsonArray([| for s in e.Seeds -> JsonValue.Create s :> JsonNode |])
              "training", options e.Training
              "results", optional e.ResultsFolder
              "cache", optional e.CacheFolder
              "threads", (match e.Threads with Some n -> JsonValue.Create n :> JsonNode | None -> null) ]
    let full = Path.GetFullPath path
    Directory.CreateDirectory(Path.GetDirectoryName full) |> ignore
    let temp = full + ".tmp"
    File.WriteAllText(temp, root.ToJsonString(JsonSerializerOptions(WriteIndented = true)) + "\n")
    File.Move(temp, full, overwrite = true)
