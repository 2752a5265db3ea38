//! `uniffi-bindgen` pinned to the library's uniffi version (build with `--features bindgen`).

fn main() {
    uniffi::uniffi_bindgen_main();
}
