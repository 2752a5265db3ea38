mod conversation;
mod support;
