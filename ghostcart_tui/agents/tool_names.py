"""The name of every agent tool, defined once.

The models see these names (tool specs, prompts, the offline model's policies) and the meter and
the TUI report them, so a rename is one edit here. A specialist run as a tool is named here too.
"""

from __future__ import annotations

from typing import Final, Literal

# supervisor: the specialists, as tools
SHOPPING_AGENT: Final = "shopping_agent"
DELEGATE_AGENT: Final = "delegate_agent"

# shopping (human present)
SEARCH_PRODUCTS: Final = "search_products"
CREATE_SHOPPING_CART: Final = "create_shopping_cart"
REQUEST_USER_CART_SIGNATURE: Final = "request_user_cart_signature"
GET_SIGNED_CART_MANDATE: Final = "get_signed_cart_mandate"
INVOKE_PAYMENT_PROCESSING: Final = "invoke_payment_processing"

# delegate (human not present)
EXTRACT_MONITORING_CONSTRAINTS: Final = "extract_monitoring_constraints"
CREATE_HNP_INTENT: Final = "create_hnp_intent"
REQUEST_USER_INTENT_SIGNATURE: Final = "request_user_intent_signature"
GET_SIGNED_INTENT_MANDATE: Final = "get_signed_intent_mandate"
ACTIVATE_MONITORING_JOB: Final = "activate_monitoring_job"
CANCEL_MONITORING_JOB: Final = "cancel_monitoring_job"

# payment
VALIDATE_HP_CHAIN: Final = "validate_hp_chain"
VALIDATE_HNP_CHAIN: Final = "validate_hnp_chain"
RETRIEVE_PAYMENT_CREDENTIALS: Final = "retrieve_payment_credentials"
PROCESS_PAYMENT_AUTHORIZATION: Final = "process_payment_authorization"

ALL: Final = frozenset({
    SHOPPING_AGENT, DELEGATE_AGENT,
    SEARCH_PRODUCTS, CREATE_SHOPPING_CART, REQUEST_USER_CART_SIGNATURE, GET_SIGNED_CART_MANDATE,
    INVOKE_PAYMENT_PROCESSING,
    EXTRACT_MONITORING_CONSTRAINTS, CREATE_HNP_INTENT, REQUEST_USER_INTENT_SIGNATURE, GET_SIGNED_INTENT_MANDATE,
    ACTIVATE_MONITORING_JOB, CANCEL_MONITORING_JOB,
    VALIDATE_HP_CHAIN, VALIDATE_HNP_CHAIN, RETRIEVE_PAYMENT_CREDENTIALS, PROCESS_PAYMENT_AUTHORIZATION,
})


def validate_chain(mode: Literal["hp", "hnp"]) -> str:
    """The chain validation tool for a payment mode."""
    return VALIDATE_HP_CHAIN if mode == "hp" else VALIDATE_HNP_CHAIN
