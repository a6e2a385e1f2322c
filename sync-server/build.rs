//! Rebuild when a server migration changes (they are embedded with `sqlx::migrate!`), and copy
//! the built portal (`ui/dist-portal`, from `npm run build`) to `$OUT_DIR/portal`, where
//! `portal::assets` embeds it. When the UI has not been built (`cargo test` before
//! `npm run build`), a placeholder page is embedded instead, so the server still builds.

use std::path::Path;

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    println!("cargo:rerun-if-changed=../migrations/server");
    println!("cargo:rerun-if-changed=../ui/dist-portal");
    let out = std::env::var("OUT_DIR").map_err(std::io::Error::other)?;
    let portal = Path::new(&out).join("portal");
    if portal.exists() {
        std::fs::remove_dir_all(&portal)?;
    }
    let built = Path::new("../ui/dist-portal");
    if built.join("portal.html").exists() {
        copy_tree(built, &portal)?;
    } else {
        std::fs::create_dir_all(&portal)?;
        std::fs::write(
            portal.join("portal.html"),
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Portal</title>\
             </head><body><main><h1>The portal was not built</h1><p>Run <code>make ui</code> \
             (or <code>cd ui &amp;&amp; npm run build</code>) and rebuild the server.</p></main>\
             </body></html>",
        )?;
    }
    Ok(())
}
