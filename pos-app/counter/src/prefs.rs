//! The window's settings: the core keeps them and decides who may change what
//! (`Till::desk_settings`, `Till::set_desk_settings`); they are `pos_shared::settings`'.

pub use pos_shared::settings::DeskSettings;
pub use pos_shared::Lang;
