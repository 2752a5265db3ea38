//! placeholder
/// placeholder
pub fn parse_rate_limit_headers() {}
