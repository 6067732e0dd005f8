variable "connected_app" {
  description = "API name of the connected app."
  type        = string
}

variable "permitted_users" {
  description = "all_users or admin_approved."
  type        = string
  default     = "admin_approved"
}

variable "ip_relaxation" {
  description = "enforce, enforce_relax_refresh, relax_with_second_factor or relax."
  type        = string
  default     = "enforce"
}

variable "refresh_token_policy" {
  description = "valid_until_revoked, expire_immediately, expire_after or expire_if_unused."
  type        = string
  default     = "valid_until_revoked"
}

variable "high_assurance_session_required" {
  description = "Whether the app requires a high assurance session."
  type        = bool
  default     = true
}

variable "high_assurance_action" {
  description = "raise_session_level or block, used when high assurance is required."
  type        = string
  default     = "raise_session_level"
}

variable "profiles" {
  description = "Profile names, as Setup shows them, that may use the app."
  type        = list(string)
  default     = []
}

variable "permission_sets" {
  description = "Permission set API names that may use the app."
  type        = list(string)
  default     = []
}
