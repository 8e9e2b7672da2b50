//! `webdistill export`: converts a student downloaded earlier (its safetensors and its card) into
//! another runtime's format, the same file the page and `distill --save` write today.

use std::path::PathBuf;

use webdistill::export::onnx::to_onnx;
use webdistill::student_card::StudentCard;
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
    if format != "onnx" {
        return Err(format!("--format: {format:?}; this version writes onnx"));
    }
    let read = |p: &str| std::fs::read(p).map_err(|e| format!("{p}: {e}"));
    let bytes = read(&weights)?;
    let text =
        String::from_utf8(read(&card_path)?).map_err(|_| format!("{card_path}: not UTF-8"))?;
    let card = StudentCard::from_json(&text).map_err(|e| format!("{card_path}: {e}"))?;
    card.check(&bytes).map_err(|e| format!("{weights}: {e}"))?;
    let tensors = SafeTensors::parse(&bytes).map_err(|e| format!("{weights}: {e}"))?;
    let onnx = to_onnx(&card, &tensors).map_err(|e| e.to_string())?;
    let out = out
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(&weights).with_extension("onnx"));
    std::fs::write(&out, &onnx).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("{} ({} bytes)", out.display(), onnx.len());
    Ok(())
}
