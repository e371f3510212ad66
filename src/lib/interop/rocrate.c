/* placeholder: replaced by the rocrate bridge */
typedef int prova__rocrate_placeholder;
