// The CloudEvents SDK for JavaScript (npm cloudevents 10.0.0, tests/node_modules) as an independent reader of
// prova's events: `node ce_peer.mjs structured|binary|batch FILE` parses FILE (the output of `prova export --to
// cloudevents --mode ...`) with HTTP.toEvent({headers, body}), validates every event against the SDK's
// CloudEvents 1.0 JSON schema (event.validate()) and prints a JSON array of what it read:
// [{specversion, id, source, type, datacontenttype, dataschema, subject, time, extensions: {...}, data}].
// Binary input is the HTTP-message-like text prova prints: header lines, a blank line (CRLF CRLF), the body.
// Exit 0 when the SDK accepted everything, 1 (with the SDK's message on stderr) otherwise.
import { readFileSync } from "node:fs";
import { HTTP, CloudEvent } from "cloudevents";

const [mode, file] = process.argv.slice(2);
if (!mode || !file) {
    console.error("usage: node ce_peer.mjs structured|binary|batch FILE");
    process.exit(2);
}
const text = readFileSync(file, "utf8");

function message() {
    if (mode === "structured")
        return { headers: { "content-type": "application/cloudevents+json" }, body: text };
    if (mode === "batch")
        return { headers: { "content-type": "application/cloudevents-batch+json" }, body: text };
    if (mode === "binary") {
        const cut = text.indexOf("\r\n\r\n");
        if (cut < 0) throw new Error("no blank line between the headers and the body");
        const headers = {};
        for (const line of text.slice(0, cut).split("\r\n")) {
            const i = line.indexOf(": ");
            if (i <= 0) throw new Error(`not a header line: ${JSON.stringify(line)}`);
            headers[line.slice(0, i)] = line.slice(i + 2);
        }
        return { headers, body: text.slice(cut + 4) };
    }
    throw new Error(`unknown mode ${mode}`);
}

const standard = new Set(["specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time",
    "data", "data_base64", "datacontentencoding", "schemaurl"]);

function summary(ev) {
    if (!(ev instanceof CloudEvent)) throw new Error("HTTP.toEvent did not return a CloudEvent");
    ev.validate(); // the SDK's JSON schema + attribute-name rules; throws ValidationError
    const extensions = {};
    for (const [k, v] of Object.entries(ev)) if (!standard.has(k) && v !== undefined) extensions[k] = v;
    return {
        specversion: ev.specversion, id: ev.id, source: ev.source, type: ev.type,
        datacontenttype: ev.datacontenttype ?? null, dataschema: ev.dataschema ?? null,
        subject: ev.subject ?? null, time: ev.time, extensions, data: ev.data,
    };
}

try {
    const got = HTTP.toEvent(message());
    const events = Array.isArray(got) ? got : [got];
    if ((mode === "batch") !== Array.isArray(got)) throw new Error("the SDK detected another content mode");
    process.stdout.write(JSON.stringify(events.map(summary)) + "\n");
} catch (e) {
    console.error(`cloudevents SDK: ${e.message}${e.errors ? " " + JSON.stringify(e.errors) : ""}`);
    process.exit(1);
}
