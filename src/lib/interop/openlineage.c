/* placeholder: replaced by the openlineage bridge */
typedef int prova__openlineage_placeholder;
