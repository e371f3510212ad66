/* placeholder: replaced by the record bridge */
typedef int prova__record_placeholder;
