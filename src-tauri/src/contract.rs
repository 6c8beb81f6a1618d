//! The command contract in one table: names, argument names and TypeScript types. Tests check it against
//! the permission manifest, and (feature `ts`) write `commands.ts`, typed `invoke` wrappers, next to the
//! ts-rs bindings.

pub struct CommandSig {
    pub name: &'static str,
    /// (argument name as sent, TypeScript type)
    pub args: &'static [(&'static str, &'static str)],
    /// TypeScript type of the resolved value.
    pub returns: &'static str,
    pub doc: &'static str,
}

pub const COMMANDS: &[CommandSig] = &[
    CommandSig {
        name: "app_info",
        args: &[],
        returns: "AppInfo",
        doc: "Version, data directory and history database path.",
    },
    CommandSig {
        name: "lab_catalogue",
        args: &[],
        returns: "LabCatalogue",
        doc: "The bundled lab's modes, flaw switches and demo users (no passwords).",
    },
    CommandSig {
        name: "check_catalogue",
        args: &[],
        returns: "Array<CheckDoc>",
        doc: "Every check of the catalogue, in order.",
    },
    CommandSig {
        name: "start_run",
        args: &[("request", "RunRequest"), ("on_event", "Channel<RunEvent>")],
        returns: "RunView",
        doc: "Run against the lab or a profile. Events stream on `on_event` and end with `finished` or \
              `failed`; resolves with the redacted run and its timeline.",
    },
    CommandSig {
        name: "cancel_run",
        args: &[("request_id", "string")],
        returns: "boolean",
        doc: "Cancel the run started with this request id; false when none is going.",
    },
    CommandSig {
        name: "history_list",
        args: &[("limit", "number")],
        returns: "Array<RunSummary>",
        doc: "Past runs, newest first (`limit` 0 = all).",
    },
    CommandSig {
        name: "history_load",
        args: &[("id", "string")],
        returns: "RunView",
        doc: "One past run by id (or unique id prefix), as stored, with its timeline.",
    },
    CommandSig {
        name: "profile_validate",
        args: &[("toml", "string")],
        returns: "ProfileCheck",
        doc: "Check a profile; errors carry line, column and key.",
    },
    CommandSig {
        name: "profile_form_read",
        args: &[("toml", "string")],
        returns: "ProfileFormRead",
        doc: "A profile's common settings as a form, or where its TOML cannot be read as one.",
    },
    CommandSig {
        name: "profile_form_apply",
        args: &[("toml", "string"), ("form", "ProfileForm")],
        returns: "string",
        doc: "The TOML with the form's settings written in; comments, key order and other keys are kept.",
    },
    CommandSig {
        name: "profiles_list",
        args: &[],
        returns: "Array<SavedProfile>",
        doc: "Bundled lab profiles first, then the saved ones.",
    },
    CommandSig {
        name: "profile_save",
        args: &[("name", "string"), ("toml", "string")],
        returns: "null",
        doc: "Save a valid profile under `name` (a `password` key is refused).",
    },
    CommandSig {
        name: "decode_token",
        args: &[("token", "string")],
        returns: "DecodedJwt | null",
        doc: "Decode a JWT for display (nothing verified); null when it is not JWT-shaped.",
    },
    CommandSig {
        name: "audit_weak_secret",
        args: &[
            ("request", "AuditRequest"),
            ("on_progress", "Channel<AuditProgress>"),
        ],
        returns: "AuditReport",
        doc: "Guess an HS256/384/512 JWT's secret offline (blank secret, built-in list, wordlists) off the UI \
              thread; progress streams on `on_progress`. Resolves found, not found, timed out or cancelled.",
    },
    CommandSig {
        name: "cancel_audit",
        args: &[("audit_id", "string")],
        returns: "boolean",
        doc: "Cancel the weak-secret audit started with this id; false when none is going.",
    },
    CommandSig {
        name: "ui_ready",
        args: &[],
        returns: "null",
        doc: "The UI painted its first view: the app logs its start-up time once.",
    },
    // OS keychain and reference links.
    CommandSig {
        name: "password_status",
        args: &[("toml", "string")],
        returns: "PasswordStatus",
        doc: "Whether the OS keychain holds a password for this profile's account (username at its base URL's \
              origin), or why no keychain can be used.",
    },
    CommandSig {
        name: "password_save",
        args: &[("toml", "string"), ("password", "string")],
        returns: "PasswordStatus",
        doc: "Keep the password for this profile's account in the OS keychain (replacing any).",
    },
    CommandSig {
        name: "password_forget",
        args: &[("toml", "string")],
        returns: "PasswordStatus",
        doc: "Remove the password kept for this profile's account from the OS keychain.",
    },
    CommandSig {
        name: "reference_url",
        args: &[("reference", "string")],
        returns: "string",
        doc: "The https page of a check catalogue reference (\"ASVS 3.3.4\"); other strings are refused.",
    },
    CommandSig {
        name: "open_reference",
        args: &[("reference", "string")],
        returns: "string",
        doc: "Open a check catalogue reference's page in the system browser; resolves with the URL opened.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_its_permission_and_the_default_set_grants_it() {
        let manifest = include_str!("../permissions/commands.toml");
        let default = include_str!("../permissions/default.toml");
        for c in COMMANDS {
            let id = format!("allow-{}", c.name.replace('_', "-"));
            assert!(
                manifest.contains(&format!("identifier = \"{id}\"\ndescription = "))
                    && manifest.contains(&format!("commands.allow = [\"{}\"]", c.name)),
                "permissions/commands.toml lacks {id}"
            );
            assert!(
                default.contains(&format!("\"{id}\",")),
                "default.toml lacks {id}"
            );
        }
        assert_eq!(manifest.matches("[[permission]]").count(), COMMANDS.len());
        let capability = include_str!("../capabilities/main.json");
        let cap: serde_json::Value = serde_json::from_str(capability).unwrap();
        assert_eq!(cap["windows"], serde_json::json!(["main"]));
        assert_eq!(cap["permissions"], serde_json::json!(["default"]));
    }
}

#[cfg(all(test, feature = "ts"))]
mod export {
    use super::*;

    fn camel(snake: &str) -> String {
        let mut out = String::new();
        let mut upper = false;
        for ch in snake.chars() {
            if ch == '_' {
                upper = true;
            } else if upper {
                out.extend(ch.to_uppercase());
                upper = false;
            } else {
                out.push(ch);
            }
        }
        out
    }

    /// The type names a TypeScript type expression refers to (the exported ones start upper-case).
    fn type_names(ts: &str) -> Vec<String> {
        ts.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
            .filter(|w| !matches!(*w, "Array" | "Channel" | "Promise"))
            .map(str::to_string)
            .collect()
    }

    pub fn commands_ts() -> String {
        let mut imports = std::collections::BTreeSet::new();
        imports.insert("ApiError".to_string());
        for c in COMMANDS {
            imports.extend(type_names(c.returns));
            for (_, t) in c.args {
                imports.extend(type_names(t));
            }
        }
        let mut s = String::from(
            "// Generated by authlens-desktop (src-tauri/src/contract.rs). Do not edit: run scripts/bindings.sh.\n\
             // Typed wrappers over the app's commands. A rejected promise carries an `ApiError` ({code, message}).\n\n\
             import { invoke, type Channel } from \"@tauri-apps/api/core\";\n",
        );
        for t in &imports {
            s.push_str(&format!("import type {{ {t} }} from \"./{t}\";\n"));
        }
        s.push_str(
            "\n/** Whether a caught value is the `{code, message}` every command rejects with. */\n\
             export function isApiError(e: unknown): e is ApiError {\n  \
             return typeof e === \"object\" && e !== null && typeof (e as ApiError).code === \"string\" && \
             typeof (e as ApiError).message === \"string\";\n}\n",
        );
        for c in COMMANDS {
            let params: Vec<String> = c
                .args
                .iter()
                .map(|(n, t)| format!("{}: {t}", camel(n)))
                .collect();
            let call = if c.args.is_empty() {
                format!("invoke(\"{}\")", c.name)
            } else {
                let fields: Vec<String> = c
                    .args
                    .iter()
                    .map(|(n, _)| {
                        let js = camel(n);
                        if js == *n {
                            n.to_string()
                        } else {
                            format!("{n}: {js}")
                        }
                    })
                    .collect();
                format!("invoke(\"{}\", {{ {} }})", c.name, fields.join(", "))
            };
            s.push_str(&format!(
                "\n/** `{}`: {} */\nexport function {}({}): Promise<{}> {{\n  return {call};\n}}\n",
                c.name,
                c.doc,
                camel(c.name),
                params.join(", "),
                c.returns
            ));
        }
        s
    }

    #[test]
    fn export_bindings_commands() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| "./bindings".into());
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("commands.ts"), commands_ts()).unwrap();
    }
}
