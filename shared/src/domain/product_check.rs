//! What makes a product record valid, wherever it comes from: a till's catalog import checks
//! each product it builds from a file, the server each product pushed to it.

use thiserror::Error;

use super::Product;
use crate::gtin::Gtin;
use crate::money::Money;

/// Why a product cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProductError {
    #[error("sku is empty: a product needs a SKU")]
    NoSku,
    #[error("name_fr is empty: a product needs a French name")]
    NoName,
    #[error("price {0} is negative")]
    NegativePrice(Money),
    #[error("reorder point {0} is negative")]
    NegativeReorderPoint(i64),
    #[error("{0:?} is not a valid GTIN-14")]
    Barcode(String),
    #[error("a text of the product holds a NUL character")]
    Nul,
}

impl ProductError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            ProductError::NoSku => "PRODUCT_WITHOUT_SKU",
            ProductError::NoName => "PRODUCT_WITHOUT_NAME",
            ProductError::NegativePrice(_) => "NEGATIVE_PRICE",
            ProductError::NegativeReorderPoint(_) => "NEGATIVE_REORDER_POINT",
            ProductError::Barcode(_) => "INVALID_GTIN14",
            ProductError::Nul => "NUL_CHARACTER",
        }
    }
}

impl Product {
    /// A product as a till creates it: named, priced, its barcodes real GTIN-14s, no text
    /// holding a NUL (Postgres cannot store one).
    pub fn check(&self) -> Result<(), ProductError> {
        if self.sku.trim().is_empty() {
            return Err(ProductError::NoSku);
        }
        if self.name_fr.trim().is_empty() {
            return Err(ProductError::NoName);
        }
        if self.price.is_negative() {
            return Err(ProductError::NegativePrice(self.price));
        }
        if self.reorder_point < 0 {
            return Err(ProductError::NegativeReorderPoint(self.reorder_point));
        }
        if let Some(bad) = self.barcodes.iter().find(|b| Gtin::from_gtin14(b).is_err()) {
            return Err(ProductError::Barcode(bad.clone()));
        }
        let texts = [&self.sku, &self.name_fr, &self.name_ar, &self.category];
        if texts
            .into_iter()
            .chain(&self.barcodes)
            .chain(&self.plu)
            .any(|t| t.contains('\0'))
        {
            return Err(ProductError::Nul);
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "product_check_tests.rs"]
mod tests;
