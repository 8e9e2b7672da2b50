//! `webdistill export`: converts a student downloaded earlier (its safetensors and its card) into
//! another runtime's format (ONNX, or TF.js's model.json and weights), the same files the page and
//! `distill --save` write today.

use std::path::PathBuf;

use webdistill::export::card::{StudentCard, tfjs_names};
use webdistill::export::onnx::to_onnx;
use webdistill::export::tfjs::to_tfjs;
use webdistill::weights::SafeTensors;

use crate::Args;

pub fn run(args: impl Iterator<Item = String>) -> Result<(), String> {
    let mut args = Args::parse(args, &[])?;
    let weights: String = args
        .get("weights")?
        .ok_or("give --weights student.safetensors")?;
    let card_path: String = args.get("card")?.ok_or("give --card student.json")?;
    let format: String = args.get("format")?.unwrap_or_else(|| "onnx".into());
    let out: Option<String> = args.get("out")?;
    args.finish()?;
    if format != "onnx" && format != "tfjs" {
        return Err(format!("--format: {format:?}; give onnx or tfjs"));
    }
    let read = |p: &str| std::fs::read(p).map_err(|e| format!("{p}: {e}"));
    let bytes = read(&weights)?;
    let text =
        String::from_utf8(read(&card_path)?).map_err(|_| format!("{card_path}: not UTF-8"))?;
    let card = StudentCard::from_json(&text).map_err(|e| format!("{card_path}: {e}"))?;
    card.check(&bytes).map_err(|e| format!("{weights}: {e}"))?;
    let tensors = SafeTensors::parse(&bytes).map_err(|e| format!("{weights}: {e}"))?;
    // Beside the weights unless --out says where: `<stem>.onnx`, or TF.js's pair
    // `<stem>.model.json` and `<stem>.weights.bin` (the model names its weights file).
    let stem = PathBuf::from(&weights).with_extension("");
    let written: Vec<(PathBuf, Vec<u8>)> = if format == "onnx" {
        let onnx = to_onnx(&card, &tensors).map_err(|e| format!("{weights}: {e}"))?;
        let out = out
            .map(PathBuf::from)
            .unwrap_or_else(|| stem.with_extension("onnx"));
        vec![(out, onnx)]
    } else {
        let model = out
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(tfjs_names(&stem.to_string_lossy()).0));
        let model_stem = model
            .to_string_lossy()
            .trim_end_matches(".model.json")
            .trim_end_matches(".json")
            .to_string();
        let bin = PathBuf::from(tfjs_names(&model_stem).1);
        let bin_name = bin
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let t = to_tfjs(&card, &tensors, &bin_name).map_err(|e| format!("{weights}: {e}"))?;
        vec![(model, t.model_json.into_bytes()), (bin, t.weights)]
    };
    for (path, bytes) in written {
        std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}
