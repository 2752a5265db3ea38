//! Declares request enums whose every variant names its params and response types: a request without a
//! declared response type does not compile, and the processor can only answer a request with its own
//! response type (see [`Method`](super::Method)).

/// `requests!(EnumName, mod_name; Variant => "method" { params: P, response: R }, ...)`. `params` may be
/// left out for methods without parameters (their messages carry no `params` member).
macro_rules! requests {
    (
        $(#[$enum_doc:meta])* $enum:ident, $methods:ident;
        $( $(#[$doc:meta])* $variant:ident => $method:literal {
            $( params: $params:ty, )?
            response: $response:ty $(,)?
        } ),* $(,)?
    ) => {
        $(#[$enum_doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "method")]
        #[non_exhaustive]
        pub enum $enum {
            $(
                $(#[$doc])*
                #[serde(rename = $method)]
                $variant {
                    /// The request id.
                    #[serde(rename = "id")]
                    request_id: $crate::app_server::jsonrpc::RequestId,
                    $(
                        /// The parameters.
                        params: $params,
                    )?
                },
            )*
        }

        impl $enum {
            /// Every method name.
            pub const METHODS: &'static [&'static str] = &[$($method),*];

            /// The request's id.
            #[must_use]
            pub fn id(&self) -> &$crate::app_server::jsonrpc::RequestId {
                match self {
                    $( Self::$variant { request_id, .. } => request_id, )*
                }
            }

            /// The method name.
            #[must_use]
            pub fn method(&self) -> &'static str {
                match self {
                    $( Self::$variant { .. } => $method, )*
                }
            }

            /// The JSON schema of every params and response type, by type name.
            #[cfg(feature = "schema")]
            pub(crate) fn schemas(
                generator: &mut schemars::SchemaGenerator,
            ) -> Vec<(&'static str, &'static str, Option<schemars::Schema>, schemars::Schema)> {
                vec![$(
                    (
                        $method,
                        stringify!($response),
                        requests!(@params_schema generator $(, $params)?),
                        generator.subschema_for::<$response>(),
                    ),
                )*]
            }
        }

        /// One marker type per method, tying it to its params and response types.
        pub mod $methods {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[doc = concat!("The `", $method, "` method.")]
                #[derive(Debug, Clone, Copy)]
                pub struct $variant;

                impl $crate::app_server::Method for $variant {
                    const NAME: &'static str = $method;
                    type Params = requests!(@params_ty $($params)?);
                    type Response = $response;
                }
            )*
        }
    };
    (@params_ty $params:ty) => { $params };
    (@params_ty) => { () };
    (@params_schema $g:ident, $params:ty) => { Some($g.subschema_for::<$params>()) };
    (@params_schema $g:ident) => { None };
}

pub(crate) use requests;
